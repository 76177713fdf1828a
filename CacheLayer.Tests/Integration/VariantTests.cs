using System.Net;
using System.Text.Json;
using CacheLayer.AspNetCore;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>Keys that vary by a normalized request header or by user; requests and responses that are private.</summary>
public class VariantTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task Spellings_of_one_supported_language_share_one_entry_and_the_body_follows_the_language()
    {
        using var french = await Get("/api/greeting", ("Accept-Language", "fr"));
        using var upper = await Get("/api/greeting", ("Accept-Language", "FR"));
        using var regional = await Get("/api/greeting", ("Accept-Language", "fr-FR,fr;q=0.9"));
        using var german = await Get("/api/greeting", ("Accept-Language", "de-DE"));

        Assert.Equal("CacheLayer; fwd=miss; stored", french.CacheStatus());
        Assert.Equal("{\"greeting\":\"Bonjour\"}", await french.Content.ReadAsStringAsync());
        Assert.Equal("HIT", upper.XCache());
        Assert.Equal("HIT", regional.XCache());
        Assert.Equal("{\"greeting\":\"Bonjour\"}", await regional.Content.ReadAsStringAsync());
        Assert.Equal("CacheLayer; fwd=miss; stored", german.CacheStatus());
        Assert.Equal("{\"greeting\":\"Hallo\"}", await german.Content.ReadAsStringAsync());
        Assert.Contains("Accept-Language", french.Headers.Vary);
        Assert.True(await IsCachedAsync("GET:/api/greeting|accept-language=fr"));
        Assert.True(await IsCachedAsync("GET:/api/greeting|accept-language=de"));
        Assert.Equal(2, await CountEntriesAsync());

        using var admin = Api.CreateAdminClient();
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));
        Assert.Contains(statistics.RootElement.GetProperty("top_keys").EnumerateArray(),
            pair => pair[0].GetString() == "GET:/api/greeting|accept-language=fr" && pair[1].GetInt64() == 3);
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en-US,en;q=0.9")]
    [InlineData("x-unknown-\u00e9")]
    [InlineData("zz, yy;q=0.5")]
    public async Task An_unsupported_or_default_language_shares_the_default_entry(string language)
    {
        using var warm = await Client.GetAsync("/api/greeting");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Get("/api/greeting", ("Accept-Language", language));

        Assert.Equal("HIT", response.XCache());
        Assert.Equal("{\"greeting\":\"Hello\"}", await response.Content.ReadAsStringAsync());
        Assert.True(await IsCachedAsync("GET:/api/greeting"));
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task Posts_do_not_vary_by_language()
    {
        using var warm = await Client.GetAsync("/api/posts/");
        using var french = await Get("/api/posts/", ("Accept-Language", "fr"));

        Assert.Equal("HIT", french.XCache());
        Assert.DoesNotContain("Accept-Language", french.Headers.Vary);
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task Invalidating_a_path_removes_every_header_variant()
    {
        foreach (var language in new[] { "fr", "de", "" })
        {
            using var warm = await Get("/api/greeting", language.Length > 0 ? [("Accept-Language", language)] : []);
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        }
        using var frenchAgain = await Get("/api/greeting", ("Accept-Language", "fr"));
        Assert.Equal("HIT", frenchAgain.XCache());
        Assert.Equal(3, await CountEntriesAsync());

        var result = await Api.Service<ICacheInvalidator>().InvalidatePathAsync("GET:/api/greeting");

        Assert.Equal(3, result.Removed);
        Assert.False(await IsCachedAsync("GET:/api/greeting|accept-language=fr"));
        Assert.False(await IsCachedAsync("GET:/api/greeting|accept-language=de"));
        Assert.Equal(0, await CountEntriesAsync());
        using var next = await Get("/api/greeting", ("Accept-Language", "fr"));
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

        var keys = (await Store.EntryKeysAsync(Api.KeyPrefix))
            .Select(key => CacheServerFixture.CacheKeyOf(key, Api.KeyPrefix))
            .Where(key => key.StartsWith("GET:/api/me", StringComparison.Ordinal)).ToList();
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
