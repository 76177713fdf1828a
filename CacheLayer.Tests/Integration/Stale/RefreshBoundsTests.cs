using System.Net;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// Background refreshes are bounded: an answer too large to keep backs the key off (its copy answers,
/// the origin is not asked again for <c>OriginFailureBackoff</c>), and no more than
/// <c>MaxConcurrentRefreshes</c> run at once (beyond that the copy answers and a later request refreshes).
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class RefreshBoundsTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_refresh_too_large_to_keep_answers_with_the_copy_and_backs_off()
    {
        var clock = StaleKit.WholeSecondClock();
        var origin = new StatusOrigin();
        var keyPrefix = $"b{Guid.NewGuid():N}"[..9] + ":";
        var app = await StaleApp.StartAsync(store.Server.ConnectionString, keyPrefix, origin, clock, new Dictionary<string, string>
        {
            ["CacheLayer:StaleWhileRevalidate"] = "00:00:00",
            ["CacheLayer:MemoryTier:MaxLag"] = "00:10:00",
            ["CacheLayer:MaxBodySizeBytes"] = "200",
            ["CacheLayer:OriginFailureBackoff"] = "00:05:00",
        });
        try
        {
            using var client = app.GetTestClient();
            using var warm = await client.GetAsync("/items/1");
            var stored = await warm.Content.ReadAsStringAsync();
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
            await StaleKit.UntilGoneAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/1"));
            clock.Advance(TimeSpan.FromSeconds(20));
            origin.Name = new string('x', 500);

            using var refreshed = await client.GetAsync("/items/1");
            using var backedOff = await client.GetAsync("/items/1");

            Assert.Equal("STALE", refreshed.XCache());
            Assert.Equal(stored, await refreshed.Content.ReadAsStringAsync());
            Assert.Equal("STALE", backedOff.XCache());
            Assert.Equal(stored, await backedOff.Content.ReadAsStringAsync());
            Assert.Equal(2, origin.Calls); // the warm-up and one refresh: the backoff kept the origin from a second
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task No_more_refreshes_than_the_limit_run_at_once()
    {
        var clock = StaleKit.WholeSecondClock();
        var origin = new StatusOrigin();
        var keyPrefix = $"b{Guid.NewGuid():N}"[..9] + ":";
        var app = await StaleApp.StartAsync(store.Server.ConnectionString, keyPrefix, origin, clock, new Dictionary<string, string>
        {
            ["CacheLayer:StaleWhileRevalidate"] = "00:00:30",
            ["CacheLayer:MemoryTier:MaxLag"] = "00:10:00",
            ["CacheLayer:MaxConcurrentRefreshes"] = "1",
        });
        try
        {
            using var client = app.GetTestClient();
            using var warmOne = await client.GetAsync("/items/1");
            using var warmTwo = await client.GetAsync("/items/2");
            Assert.Equal("CacheLayer; fwd=miss; stored", warmTwo.CacheStatus());
            await StaleKit.UntilGoneAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/1"));
            await StaleKit.UntilGoneAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/2"));
            clock.Advance(TimeSpan.FromSeconds(5));
            var held = origin.Held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            using var first = await client.GetAsync("/items/1");
            await Eventually.TrueAsync(() => origin.Calls == 3); // the first key's refresh is at the origin, held
            using var second = await client.GetAsync("/items/2");
            using var secondAgain = await client.GetAsync("/items/2");
            origin.Held = null;
            held.SetResult();
            await StaleKit.UntilExistsAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/1"));
            var callsWhileOneRan = origin.Calls;
            using var afterwards = await client.GetAsync("/items/2");
            await StaleKit.UntilExistsAsync(store.Redis, EntryKey(keyPrefix, "GET:/items/2"));

            Assert.Equal("STALE", first.XCache());
            Assert.Equal("STALE", second.XCache());
            Assert.Equal("STALE", secondAgain.XCache());
            Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
            Assert.Equal(3, callsWhileOneRan); // the second key was not refreshed while the first one ran
            Assert.Equal(4, origin.Calls); // then it was
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
