using System.Net;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// Stale-if-error: past its TTL and past the stale-while-revalidate window, an entry's grace copy answers
/// when the origin throws, answers a 5xx, or does not answer within <c>OriginHardTimeout</c>. The entry
/// expires in Redis in real time; then a fake clock jumps ahead, so <c>Age</c> and <c>ttl=-N</c> are exact.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class StaleIfErrorTests(CacheServerFixture store)
{
    private const string Renamed = "Renamed behind the cache";

    [Fact]
    public async Task When_the_demo_origin_fails_the_grace_copy_answers_with_its_503_and_once_it_is_back_a_fresh_answer_is_stored()
    {
        var clock = StaleKit.WholeSecondClock();
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock)
        {
            Settings = StaleKit.Settings(ApiFactory.SettingsForAJumpingClock, ("CacheLayer:StaleWhileRevalidate", "00:00:05")),
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });

        using var warm = await client.GetAsync("/api/users/1");
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Contains("Cached User A", stored);
        Assert.True(await api.Service<IUserStore>().TryRenameAsync(1, Renamed, CancellationToken.None)); // behind the cache
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        Assert.True(await StaleKit.HasCopyAsync(store.Redis, api, StaleKit.UserKey));
        clock.Advance(TimeSpan.FromSeconds(20)); // expired 19 s ago: past the 5 s stale-while-revalidate window
        await StaleKit.StartOutageAsync(api);

        using var stale = await client.GetAsync("/api/users/1");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
        Assert.Equal("application/json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal(TimeSpan.FromSeconds(20), stale.Headers.Age);
        // How it says why, asserted last (below), so that what follows is checked whatever it says.
        var staleStatus = stale.CacheStatus();
        var staleReasons = StaleKit.StaleCounts(await StaleKit.MetricsAsync(client));

        // The origin is back, but it failed for this key less than CacheLayer:OriginFailureBackoff (5 s, not in
        // the contract; README "When the origin fails") ago: the copy answers without asking it.
        await StaleKit.EndOutageAsync(api);
        using var withinBackoff = await client.GetAsync("/api/users/1");
        Assert.Equal("STALE", withinBackoff.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-19; detail=stale-if-error", withinBackoff.CacheStatus());
        Assert.Equal(stored, await withinBackoff.Content.ReadAsStringAsync());

        // Past the backoff: the request still has a copy, but the origin answers in time.
        clock.Advance(TimeSpan.FromSeconds(5));
        using var fresh = await client.GetAsync("/api/users/1");
        using var hit = await client.GetAsync("/api/users/1");

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("MISS", fresh.XCache());
        Assert.Equal("CacheLayer; fwd=stale; stored", fresh.CacheStatus());
        Assert.Equal(Renamed, await StaleKit.NameAsync(fresh));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(Renamed, await StaleKit.NameAsync(hit));

        // The demo's handler throws, and its exception handler (in the pipeline the refresh runs through)
        // answers 503: what the origin said, as in the example. A bare throw is origin-error (below).
        var reasons = string.Join(", ", staleReasons.Select(reason => $"{reason.Key}={reason.Value}"));
        Assert.True(staleStatus == "CacheLayer; hit; ttl=-19; fwd=stale; fwd-status=503; detail=stale-if-error" && reasons == "origin-status=1",
            $"Cache-Status: {staleStatus}; cachelayer.cache.stale: {reasons}");
    }

    [Fact]
    public async Task The_cache_status_ttl_is_the_remaining_lifetime_floored_so_never_0_once_expired()
    {
        var clock = StaleKit.WholeSecondClock();
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock)
        {
            Settings = StaleKit.Settings(ApiFactory.SettingsForAJumpingClock, ("CacheLayer:StaleWhileRevalidate", "00:00:00")),
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        clock.Advance(TimeSpan.FromSeconds(20.5)); // stored 20.5 s ago, expired 19.5 s ago
        await StaleKit.StartOutageAsync(api);

        using var stale = await client.GetAsync("/api/users/1");

        Assert.Equal("STALE", stale.XCache());
        Assert.Equal(TimeSpan.FromSeconds(20), stale.Headers.Age);
        // -19.5 s of freshness left, floored: -20 (README: a copy 0.3 s past its TTL says ttl=-1, never ttl=0).
        Assert.StartsWith("CacheLayer; hit; ttl=-20; ", stale.CacheStatus());
    }

    /// <summary>
    /// In a host without error-handling middleware: a 5xx is forwarded as <c>fwd-status</c> (reason
    /// origin-status); a throw has no status to forward (reason origin-error).
    /// </summary>
    [Theory]
    [InlineData(false, "CacheLayer; hit; ttl=-19; fwd=stale; fwd-status=503; detail=stale-if-error", "origin-status")]
    [InlineData(true, "CacheLayer; hit; ttl=-19; fwd=stale; detail=stale-if-error", "origin-error")]
    public async Task When_the_origin_answers_a_5xx_or_throws_the_grace_copy_answers(bool throws, string cacheStatus, string reason)
    {
        var clock = StaleKit.WholeSecondClock();
        var origin = new StatusOrigin();
        var keyPrefix = $"s{Guid.NewGuid():N}"[..9] + ":";
        var app = await StaleApp.StartAsync(store.Server.ConnectionString, keyPrefix, origin, clock, new Dictionary<string, string>
        {
            ["CacheLayer:StaleWhileRevalidate"] = "00:00:00",
            ["CacheLayer:MemoryTier:MaxLag"] = "00:10:00",
        });
        try
        {
            using var counter = new StaleCounter(app.Services);
            using var client = app.GetTestClient();
            using var warm = await client.GetAsync("/items/1");
            var stored = await warm.Content.ReadAsStringAsync();
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
            var entryKey = new RedisLayout(keyPrefix).EntryKeyOf(CacheKey.PathOf("GET:/items/1"), "GET:/items/1").ToString();
            await StaleKit.UntilGoneAsync(store.Redis, entryKey);
            clock.Advance(TimeSpan.FromSeconds(20));
            origin.Throws = throws;
            origin.Status = 503; // answered unless it throws first
            origin.Name = "Never shown";

            using var stale = await client.GetAsync("/items/1");

            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
            Assert.Equal("STALE", stale.XCache());
            Assert.Equal(cacheStatus, stale.CacheStatus());
            Assert.Equal(TimeSpan.FromSeconds(20), stale.Headers.Age);
            Assert.Equal(2, origin.Calls); // the warm-up and this one: the origin was asked
            Assert.Equal(1, Assert.Single(counter.Counts, count => count.Key == ("/items/{id}", reason)).Value);
            Assert.Single(counter.Counts);
            Assert.False(StaleKit.IsFresh(store.Redis, entryKey)); // nothing from a failing origin is stored
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_origin_outlasts_the_hard_timeout_the_grace_copy_answers()
    {
        var clock = StaleKit.WholeSecondClock();
        var origin = new HeldOrigin();
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock)
        {
            // The soft timeout is longer than the hard one, so the hard one is what answers.
            Settings = StaleKit.Settings(ApiFactory.SettingsForAJumpingClock,
                ("CacheLayer:StaleWhileRevalidate", "00:00:00"),
                ("CacheLayer:OriginSoftTimeout", "00:00:10"),
                ("CacheLayer:OriginHardTimeout", "00:00:02")),
            TestServices = origin.Register,
        };
        await api.WaitUntilStoreConnectedAsync();
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/users/1");
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        clock.Advance(TimeSpan.FromSeconds(19));
        origin.Hold();

        var pending = client.GetAsync("/api/users/1");
        await origin.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        // The hard timeout runs out: on the fake clock (the layer's), and in real time 2 s later if it used that.
        clock.Advance(TimeSpan.FromSeconds(2));
        using var stale = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        origin.Release();

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-20; fwd=stale; detail=stale-if-error", stale.CacheStatus());
        Assert.Equal(TimeSpan.FromSeconds(21), stale.Headers.Age);
        var samples = await StaleKit.MetricsAsync(client);
        Assert.Equal(1, samples.Single(StaleKit.StaleMetric, PrometheusSamples.CacheScope,
            ("cachelayer_reason", "origin-timeout"), ("http_route", StaleKit.UsersRoute)));
        Assert.Single(samples.Matching(StaleKit.StaleMetric, ("http_route", StaleKit.UsersRoute)));
    }
}
