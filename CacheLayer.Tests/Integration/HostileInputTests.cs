using System.Net;
using System.Text;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class HostileInputTests(CacheServerFixture store) : ApiTest(store)
{
    private static readonly Random Random = new(20261126);

    [Fact]
    public async Task A_key_longer_than_the_limit_is_served_uncached_and_counted()
    {
        // Bound values are keyed in their canonical form (1,100 zeros and a 1 are page=1), so a long key needs
        // long canonical values: two bound numbers past a limit of 40 characters.
        await using var api = new ApiFactory(Store.Server.ConnectionString) { Settings = { ["CacheLayer:MaxKeyLength"] = "40" } };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        var path = "/api/posts/?page=2147483647&pageSize=100";
        // A key within the limit is stored: the count below would see a long one.
        using var control = await client.GetAsync("/api/posts/?page=01");
        Assert.Equal("CacheLayer; fwd=miss; stored", control.CacheStatus());

        using var first = await client.GetAsync(path);
        using var second = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("BYPASS", second.XCache());
        Assert.Equal("CacheLayer; fwd=bypass; detail=key-too-long", second.CacheStatus());
        Assert.Equal(1, await Store.CountEntriesAsync(api.KeyPrefix));
        var metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(2, metrics.Single("cachelayer_cache_bypasses_total",
            PrometheusSamples.CacheScope, ("cachelayer_reason", "key-too-long"), ("http_route", "/api/posts/")));
        Assert.Equal(1, metrics.Single("cachelayer_cache_misses_total", PrometheusSamples.CacheScope, ("http_route", "/api/posts/")));
    }

    [Theory]
    [InlineData("PUT", "/api/users/1")]
    [InlineData("POST", "/api/posts/")]
    public async Task A_body_over_the_limit_is_a_413_and_changes_nothing(string method, string path)
    {
        // The body limit is the server's (Kestrel's), which the in-memory test server does not apply.
        await using var kestrel = new ApiFactory(Store.Server.ConnectionString);
        // Listen, not UseKestrel(0): the factory's port setting races with a minimal host's own start (dotnet/aspnetcore#67714).
        kestrel.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        kestrel.StartServer();
        using var client = kestrel.CreateClient();
        var body = $"{{\"name\":\"{new string('x', 20_000)}\",\"title\":\"x\"}}";

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Cached User A", await client.GetStringAsync("/api/users/1?nocache=true"));
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await client.GetStringAsync("/api/posts/?nocache=true"));
    }

    [Fact]
    public async Task Many_spellings_of_the_same_request_share_one_entry()
    {
        var canonical = Enumerable.Range(0, 40).Select(_ => RandomParameters()).ToList();

        foreach (var parameters in canonical)
        {
            for (var spelling = 0; spelling < 15; spelling++)
            {
                using var response = await Client.GetAsync(RandomSpelling(parameters));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var distinct = canonical.Select(parameters => string.Join("&", parameters.Where(IsBound).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"))).Distinct().Count();
        Assert.InRange(distinct, 5, 16); // several entries (of 16 possible), so a key that ignored the query would fail
        Assert.Equal(distinct, await CountEntriesAsync());
    }

    [Fact]
    public async Task Thousands_of_random_requests_get_no_5xx()
    {
        using var admin = Api.CreateAdminClient();
        for (var i = 0; i < 2500; i++)
        {
            using var request = RandomRequest();
            using var response = await (request.Headers.Contains("X-Api-Key") ? admin : Client).SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{request.Method} {request.RequestUri} gave {(int)response.StatusCode}.");
        }
    }

    // The bound parameters (page, pageSize) in a random subset, plus parameters the handler never reads,
    // which must not split the key however they are spelled.
    private static List<(string Name, string Value)> RandomParameters() =>
        new (string Name, string Value)[] { ("page", Random.Next(1, 4).ToString()), ("pageSize", Random.Next(1, 4).ToString()) }
            .Where(_ => Random.Next(3) > 0)
            .Concat(Enumerable.Range(0, Random.Next(0, 4)).Select(_ => (Name: "x" + RandomWord(1, 4), Value: RandomWord(0, 6))))
            .DistinctBy(p => p.Name)
            .ToList();

    private static bool IsBound((string Name, string Value) parameter) => parameter.Name is "page" or "pageSize";

    // Same handler, same arguments: literal case, trailing slash, parameter order, name case and
    // percent-encoding of plain letters all vary.
    private static string RandomSpelling(List<(string Name, string Value)> parameters)
    {
        var path = new string("/api/posts".Select(c => Random.Next(2) == 0 ? char.ToUpperInvariant(c) : c).ToArray());
        if (Random.Next(2) == 0)
        {
            path += "/";
        }
        var query = parameters.OrderBy(_ => Random.Next())
            .Select(p => $"{Encode(Random.Next(2) == 0 ? p.Name : p.Name.ToUpperInvariant())}={Encode(p.Value)}");
        return $"{path}?{string.Join("&", query)}";
    }

    private static string Encode(string text) =>
        string.Concat(text.Select(c => Random.Next(3) == 0 ? $"%{(int)c:X2}" : c.ToString()));

    private static string RandomWord(int min, int max) =>
        new(Enumerable.Range(0, Random.Next(min, max + 1)).Select(_ => (char)('a' + Random.Next(26))).ToArray());

    private static HttpRequestMessage RandomRequest()
    {
        string[] routes = ["/api/users/1", "/api/users/2", "/api/users/", "/api/posts/", "/api/posts", "/api/cache", "/metrics/cache", "/api/users/" + RandomJunk(8), "/" + RandomJunk(20)];
        string[] methods = ["GET", "GET", "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"];
        var method = methods[Random.Next(methods.Length)];
        var uri = routes[Random.Next(routes.Length)] + RandomQuery();
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (method is "PUT" or "POST" or "PATCH")
        {
            request.Content = new StringContent(RandomBody(), Encoding.UTF8, Random.Next(5) == 0 ? "text/plain" : "application/json");
        }
        if (Random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", ApiFactory.AdminApiKey);
        }
        return request;
    }

    private static string RandomQuery() => Random.Next(4) switch
    {
        0 => "",
        1 => "?" + string.Join("&", Enumerable.Range(0, Random.Next(1, 300)).Select(i => $"p{i}={RandomJunk(3)}")),
        2 => "?key=" + RandomJunk(40) + "&nocache=" + (Random.Next(2) == 0 ? "true" : RandomJunk(4)),
        _ => "?q=%FF%FE%C3%28%E2%82&r=%ZZ%&" + RandomJunk(10) + "=" + RandomJunk(10),
    };

    private static string RandomBody() => Random.Next(6) switch
    {
        0 => "{\"name\":" + RandomJsonValue() + ",\"title\":" + RandomJsonValue() + "}",
        1 => "[" + RandomJsonValue() + "]",
        2 => RandomJunk(50),
        3 => "",
        4 => "{\"name\":\"" + RandomJunk(30).Replace("\"", "").Replace("\\", "") + "\"}",
        _ => "{\"title\":null,\"name\":{\"nested\":[1,2,{}]}}",
    };

    private static string RandomJsonValue() => Random.Next(6) switch
    {
        0 => Random.Next().ToString(),
        1 => "true",
        2 => "null",
        3 => "[1,\"a\"]",
        4 => "{\"a\":1}",
        _ => "\"" + RandomWord(0, 20) + "\"",
    };

    // Printable and not: escapes that are valid, invalid and overlong, unicode, control characters.
    private static string RandomJunk(int maxLength)
    {
        const string alphabet = "abcXYZ019-._~!$&'()*+,;=:@/?#[]%% \t\"<>\\^`{|}é漢🙂\u0001\u007f";
        var length = Random.Next(0, maxLength + 1);
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var c = alphabet[Random.Next(alphabet.Length)];
            text.Append(char.IsSurrogate(c) ? "x" : Uri.EscapeDataString(c.ToString()));
        }
        return text.ToString();
    }
}
