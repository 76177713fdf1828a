using System.Diagnostics;
using System.Net;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// Without a grace copy there is nothing to fall back on: an origin slower than <c>OriginHardTimeout</c>
/// gives 504, a throw gives what the host makes of it (the demo: 503), a 5xx passes through. Nothing is stored.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class NoStaleCopyTests(CacheServerFixture store)
{
    [Fact]
    public async Task An_origin_slower_than_the_hard_timeout_gives_a_504_problem_in_about_that_time_and_nothing_is_stored()
    {
        var origin = new HeldOrigin();
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = StaleKit.Settings(null, ("CacheLayer:OriginHardTimeout", "00:00:00.300")),
            TestServices = origin.Register,
        };
        await api.WaitUntilStoreConnectedAsync();
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/users/2"); // another key: the cache works, user 1 has no copy
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        origin.Hold();

        var watch = Stopwatch.StartNew();
        using var timedOut = await client.GetAsync("/api/users/1").WaitAsync(TimeSpan.FromSeconds(15));
        var took = watch.Elapsed;
        var storedWhileHeld = await store.Redis.KeyExistsAsync(api.RedisKey(StaleKit.UserKey));
        var staleWhileHeld = await StaleKit.HasCopyAsync(store.Redis, api, StaleKit.UserKey);
        origin.Release();
        await Eventually.TrueAsync(() => origin.Returned == origin.Reads);

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("application/problem+json", timedOut.Content.Headers.ContentType?.MediaType);
        Assert.Equal("MISS", timedOut.XCache());
        Assert.Equal("CacheLayer; fwd=miss; detail=origin-timeout", timedOut.CacheStatus());
        Assert.DoesNotContain("Cached User A", await timedOut.Content.ReadAsStringAsync());
        Assert.InRange(took, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.False(storedWhileHeld);
        Assert.False(staleWhileHeld);
        Assert.Empty(StaleKit.StaleCounts(await StaleKit.MetricsAsync(client)));

        // The held call has returned: its late answer was not stored either, so the next read misses.
        using var next = await client.GetAsync("/api/users/1");
        Assert.Equal("MISS", next.XCache());
    }

    [Fact]
    public async Task An_origin_that_ignores_cancellation_still_gets_its_504_answered_at_the_hard_timeout()
    {
        var origin = new HeldOrigin { IgnoresCancellation = true };
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = StaleKit.Settings(null, ("CacheLayer:OriginHardTimeout", "00:00:00.300")),
            TestServices = origin.Register,
        };
        using var client = await StaleKit.StartOnKestrelAsync(api); // a real connection: the answer must reach it before the handler ends
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var warm = await client.GetAsync("/api/users/2");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        origin.Hold();

        var watch = Stopwatch.StartNew();
        var pending = client.GetAsync("/api/users/1");
        var answered = await StaleKit.CompletesWithinAsync(pending, TimeSpan.FromSeconds(5));
        var took = watch.Elapsed;
        origin.Release();
        using var timedOut = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(answered, "no answer within 5 s while the handler ignored its cancellation");
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("CacheLayer; fwd=miss; detail=origin-timeout", timedOut.CacheStatus());
        Assert.InRange(took, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task An_outage_with_no_copy_gives_the_origins_503_problem_and_nothing_is_stored()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = StaleKit.Settings() };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/users/2");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        await StaleKit.StartOutageAsync(api);

        using var failed = await client.GetAsync("/api/users/1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("simulated outage", await failed.Content.ReadAsStringAsync());
        Assert.NotEqual("STALE", failed.XCache());
        Assert.False(await store.Redis.KeyExistsAsync(api.RedisKey(StaleKit.UserKey)));
        Assert.False(await StaleKit.HasCopyAsync(store.Redis, api, StaleKit.UserKey));
        Assert.Empty(StaleKit.StaleCounts(await StaleKit.MetricsAsync(client)));
    }

    [Fact]
    public async Task A_5xx_with_no_copy_passes_through_as_is_and_nothing_is_stored()
    {
        var origin = new StatusOrigin();
        var keyPrefix = $"s{Guid.NewGuid():N}"[..9] + ":";
        var app = await StaleApp.StartAsync(store.Server.ConnectionString, keyPrefix, origin);
        try
        {
            using var client = app.GetTestClient();
            using var warm = await client.GetAsync("/items/2");
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
            origin.Status = 503;

            using var failed = await client.GetAsync("/items/1");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Contains("The test origin failed.", await failed.Content.ReadAsStringAsync());
            Assert.Equal("MISS", failed.XCache());
            var entryKey = new RedisLayout(keyPrefix).EntryKeyOf(CacheKey.PathOf("GET:/items/1"), "GET:/items/1").ToString();
            Assert.False(await store.Redis.KeyExistsAsync(entryKey));
            Assert.False(await StaleKit.HasCopyAsync(store.Redis, keyPrefix, "GET:/items/1"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
