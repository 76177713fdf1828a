using System.Net;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>Keys that vary by request header or by user; requests and responses that are private.</summary>
public class VariantTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task Each_accept_language_gets_its_own_readable_entry()
    {
        using var french = await Get("/api/posts/", ("Accept-Language", "fr"));
        using var frenchAgain = await Get("/api/posts/", ("Accept-Language", "fr"));
        using var englishFirst = await Get("/api/posts/", ("Accept-Language", "en-US,en;q=0.9"));
        using var none = await Client.GetAsync("/api/posts/");

        Assert.Equal("MISS", french.XCache());
        Assert.Equal("HIT", frenchAgain.XCache());
        Assert.Equal("MISS", englishFirst.XCache());
        Assert.Equal("MISS", none.XCache());
        Assert.Contains("Accept-Language", french.Headers.Vary);
        Assert.True(await IsCachedAsync("GET:/api/posts/|accept-language=fr"));
        var english = new List<string>();
        await foreach (var key in Store.RedisServer.KeysAsync(pattern: Api.KeyPrefix + "GET:/api/posts/|accept-language=en-US*"))
        {
            english.Add(key.ToString());
        }
        // Values are escaped, so a separator in a header cannot forge another key.
        Assert.Matches("\\|accept-language=en-US%2C(%20)?en%3B(%20)?q%3D0\\.9$", Assert.Single(english));
        Assert.True(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(3, await CountEntriesAsync()); // fr, en-US and none: nothing else

        using var admin = Api.CreateAdminClient();
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));
        Assert.Contains(statistics.RootElement.GetProperty("top_keys").EnumerateArray(),
            pair => pair[0].GetString() == "GET:/api/posts/|accept-language=fr" && pair[1].GetInt64() == 2);
    }

    [Fact]
    public async Task Writes_invalidate_every_header_variant_of_a_path()
    {
        using var french = await Get("/api/posts/", ("Accept-Language", "fr"));
        using var paged = await Get("/api/posts/?page=2", ("Accept-Language", "de"));
        using var frenchAgain = await Get("/api/posts/", ("Accept-Language", "fr"));
        Assert.Equal("CacheLayer; fwd=miss; stored", french.CacheStatus());
        Assert.Equal("CacheLayer; fwd=miss; stored", paged.CacheStatus());
        Assert.Equal("HIT", frenchAgain.XCache());
        Assert.True(await IsCachedAsync("GET:/api/posts/|accept-language=fr"));
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2|accept-language=de"));
        Assert.Equal(2, await CountEntriesAsync());

        using var created = await Client.PostAsync("/api/posts/", new StringContent("{\"title\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(await IsCachedAsync("GET:/api/posts/|accept-language=fr"));
        Assert.False(await IsCachedAsync("GET:/api/posts/?page=2|accept-language=de"));
        Assert.Equal(0, await CountEntriesAsync());
        using var next = await Get("/api/posts/", ("Accept-Language", "fr"));
        Assert.Equal("MISS", next.XCache());
    }

    [Fact]
    public async Task Each_user_gets_their_own_entry_keyed_by_a_hash_never_their_name()
    {
        using var alice = await Get("/api/me", ("Authorization", "Test alice"));
        using var aliceAgain = await Get("/api/me", ("Authorization", "Test alice"));
        using var bob = await Get("/api/me", ("Authorization", "Test bob"));

        Assert.Equal("{\"name\":\"alice\"}", await alice.Content.ReadAsStringAsync());
        Assert.Equal("HIT", aliceAgain.XCache());
        Assert.Equal("{\"name\":\"alice\"}", await aliceAgain.Content.ReadAsStringAsync());
        Assert.Equal("MISS", bob.XCache());
        Assert.Equal("{\"name\":\"bob\"}", await bob.Content.ReadAsStringAsync());
        Assert.True(alice.Headers.CacheControl?.Private);

        var keys = new List<string>();
        await foreach (var key in Store.RedisServer.KeysAsync(pattern: Api.KeyPrefix + "GET:/api/me*"))
        {
            keys.Add(key.ToString()[Api.KeyPrefix.Length..]);
        }
        Assert.Equal(2, keys.Count);
        Assert.All(keys, key => Assert.Matches("^GET:/api/me\\|user=[0-9a-f]{32}$", key));
        Assert.DoesNotContain(keys, key => key.Contains("alice") || key.Contains("bob") || key.Contains("Test"));
    }

    [Fact]
    public async Task An_anonymous_request_to_a_per_user_route_is_refused_and_not_cached()
    {
        // A signed-in user's answer is stored: the count below would see an anonymous one.
        using var signedIn = await Get("/api/me", ("Authorization", "Test alice"));
        Assert.Equal("CacheLayer; fwd=miss; stored", signedIn.CacheStatus());

        using var response = await Client.GetAsync("/api/me");
        using var again = await Client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.NotEqual("HIT", again.XCache());
        Assert.False(await IsCachedAsync("GET:/api/me|user=anonymous"));
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Theory]
    [InlineData("Authorization", "Test alice")]
    [InlineData("Authorization", "Bearer abc.def.ghi")]
    [InlineData("Cookie", "session=abc")]
    public async Task Requests_with_credentials_are_not_cached_on_shared_routes(string header, string value)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Get("/api/posts/", (header, value));
        using var fresh = await Get("/api/users/1", (header, value));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CacheLayer; fwd=bypass; detail=private", response.CacheStatus());
        Assert.Equal("BYPASS", fresh.XCache());
        Assert.False(await IsCachedAsync("GET:/api/users/1"));
        Assert.Equal(1, await CountEntriesAsync()); // only the anonymous warm-up
        Assert.True(response.Headers.CacheControl?.Private);
    }

    [Fact]
    public async Task A_response_that_sets_a_cookie_is_never_stored()
    {
        using var response = await Get("/api/posts/", (SetCookieStartupFilter.TriggerHeader, "1"));
        Assert.Equal(0, await CountEntriesAsync());
        using var next = await Client.GetAsync("/api/posts/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CacheLayer; fwd=miss; detail=set-cookie", response.CacheStatus());
        Assert.Equal("MISS", next.XCache());
        // Without the cookie, the same request is stored.
        Assert.Equal("CacheLayer; fwd=miss; stored", next.CacheStatus());
        Assert.Equal(1, await CountEntriesAsync());
        Assert.DoesNotContain("session=abc", next.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []);
    }

    private Task<HttpResponseMessage> Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Client.SendAsync(request);
    }
}
