using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary><c>Grace</c> bounds how long a grace copy lives: once Redis expires it, an outage is an outage.</summary>
[Collection(CacheServerCollection.Name)]
public sealed class GraceExpiryTests(CacheServerFixture store)
{
    [Fact]
    public async Task Once_the_grace_copy_has_expired_an_outage_gives_the_origins_503_not_the_old_body()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = StaleKit.Settings(null, ("CacheLayer:Grace", "00:00:02"), ("CacheLayer:StaleWhileRevalidate", "00:00:00")),
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/users/1");
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        var staleKey = StaleKit.StaleKey(api, StaleKit.UserKey);
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        await StaleKit.StartOutageAsync(api);

        // Within grace: the copy answers (this is what must stop once it expires).
        var copyTtlBefore = await store.Redis.KeyTimeToLiveAsync(staleKey);
        using var withinGrace = await client.GetAsync("/api/users/1");
        var withinGraceBody = await withinGrace.Content.ReadAsStringAsync();
        Assert.True(withinGrace.StatusCode == HttpStatusCode.OK && withinGrace.XCache() == "STALE" && withinGraceBody == stored,
            $"Within grace (the copy's PTTL just before: {copyTtlBefore?.ToString() ?? "none"}): {(int)withinGrace.StatusCode} " +
            $"X-Cache {withinGrace.XCache()}, Cache-Status {withinGrace.CacheStatus()}, {withinGraceBody}");

        await StaleKit.UntilRemovedAsync(store.Redis, staleKey);
        using var afterGrace = await client.GetAsync("/api/users/1");
        var body = await afterGrace.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, afterGrace.StatusCode);
        Assert.Equal("application/problem+json", afterGrace.Content.Headers.ContentType?.MediaType);
        Assert.Contains("simulated outage", body);
        Assert.DoesNotContain("Cached User A", body);
        Assert.NotEqual("STALE", afterGrace.XCache());
    }
}
