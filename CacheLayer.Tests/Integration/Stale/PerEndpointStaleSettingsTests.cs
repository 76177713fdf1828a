using System.Net;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// <c>.CacheResponse(..., grace:, staleWhileRevalidate:, originSoftTimeout:, originHardTimeout:)</c> override
/// <c>CacheLayer:*</c> for one endpoint: here the host keeps no grace copies (<c>Grace</c> 0), but
/// <c>/own/{id}</c> keeps one for 30 s and, with no stale-while-revalidate window, asks the origin first.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class PerEndpointStaleSettingsTests(CacheServerFixture store)
{
    [Fact]
    public async Task An_endpoints_own_grace_and_window_override_the_global_ones()
    {
        var origin = new StatusOrigin();
        var keyPrefix = $"s{Guid.NewGuid():N}"[..9] + ":";
        var app = await StaleApp.StartAsync(store.Server.ConnectionString, keyPrefix, origin, settings: new Dictionary<string, string>
        {
            ["CacheLayer:Grace"] = "00:00:00",
            ["CacheLayer:StaleWhileRevalidate"] = "00:05:00",
        });
        try
        {
            using var counter = new StaleCounter(app.Services);
            using var client = app.GetTestClient();
            using var own = await client.GetAsync("/own/1");
            using var global = await client.GetAsync("/items/1");
            var stored = await own.Content.ReadAsStringAsync();
            Assert.Equal("CacheLayer; fwd=miss; stored", own.CacheStatus());
            Assert.Equal("CacheLayer; fwd=miss; stored", global.CacheStatus());
            var ownCopy = await store.Redis.KeyTimeToLiveAsync(StaleKit.StaleKey(keyPrefix, "GET:/own/1"));
            Assert.True(ownCopy is not null, "the endpoint's own grace keeps a copy");
            Assert.InRange(ownCopy.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
            Assert.False(await StaleKit.HasCopyAsync(store.Redis, keyPrefix, "GET:/items/1"));

            await StaleKit.UntilGoneAsync(store.Redis, EntryKey(keyPrefix, "GET:/own/1"));
            await StaleKit.UntilGoneAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/1"));
            origin.Status = 503;
            var callsBefore = origin.Calls;
            using var ownStale = await client.GetAsync("/own/1");
            using var globalFailed = await client.GetAsync("/items/1");

            // No window of its own: the origin was asked first, and its 503 answered with the copy.
            Assert.Equal(HttpStatusCode.OK, ownStale.StatusCode);
            Assert.Equal(stored, await ownStale.Content.ReadAsStringAsync());
            Assert.Matches("^CacheLayer; hit; ttl=-[0-9]+; fwd=stale; fwd-status=503; detail=stale-if-error$", ownStale.CacheStatus());
            Assert.Equal(callsBefore + 2, origin.Calls);
            Assert.Equal(1, Assert.Single(counter.Counts, count => count.Key == ("/own/{id}", "origin-status")).Value);
            // No copy under the global Grace 0: the 503 passes through.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, globalFailed.StatusCode);
            Assert.Equal("MISS", globalFailed.XCache());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static string EntryKey(string keyPrefix, string cacheKey) =>
        new RedisLayout(keyPrefix).EntryKeyOf(CacheKey.PathOf(cacheKey), cacheKey).ToString();
}
