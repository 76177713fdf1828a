using System.Diagnostics;
using System.Net;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// <c>OriginSoftTimeout</c>: past the stale-while-revalidate window, with a grace copy, a request waits
/// that long for the origin, then answers the copy; the origin call finishes in the background and
/// refreshes the entry. Real clock: the test measures how long the request took.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class OriginSoftTimeoutTests(CacheServerFixture store)
{
    private const string Renamed = "Renamed behind the cache";

    [Fact]
    public async Task A_slow_origin_is_answered_stale_after_the_soft_timeout_and_its_late_answer_refreshes_the_entry()
    {
        var origin = new HeldOrigin();
        await using var api = SlowOriginApi(origin);
        using var client = await StaleKit.StartOnKestrelAsync(api); // see StartOnKestrelAsync: a real connection
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var warm = await client.GetAsync("/api/users/1");
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.True(await api.Service<IUserStore>().TryRenameAsync(1, Renamed, CancellationToken.None));
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        var readsBefore = origin.Reads;
        origin.Hold();

        var watch = Stopwatch.StartNew();
        using var stale = await client.GetAsync("/api/users/1").WaitAsync(TimeSpan.FromSeconds(15));
        var took = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
        Assert.Equal("STALE", stale.XCache());
        Assert.Matches("^CacheLayer; hit; ttl=-[0-9]+; fwd=stale; detail=soft-timeout$", stale.CacheStatus());
        Assert.True(stale.Headers.Age >= TimeSpan.FromSeconds(2), $"Age {stale.Headers.Age}");
        Assert.InRange(took, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)); // about the soft timeout, far from the hard one
        Assert.Equal(readsBefore + 1, origin.Reads);
        Assert.Equal(readsBefore, origin.Returned); // still held: the answer did not wait for it

        // The held call refreshes it; the origin is not asked again.
        await StaleKit.AssertRefreshedOnReleaseAsync(store, api, client, origin, readsBefore, Renamed, "soft-timeout");
    }
    [Fact]
    public async Task Concurrent_requests_past_the_window_cause_one_origin_call_and_all_answer_stale_after_the_soft_timeout()
    {
        const int Requests = 10;
        var origin = new HeldOrigin();
        // A request joins a call in flight only while this replica is current with the invalidation log or the
        // call is younger than MaxLag (500 ms): on a loaded machine the ten requests may spread wider than that,
        // and a late one would rightly ask afresh. Not what this test is about, so the lag allowed is long.
        await using var api = SlowOriginApi(origin, ("CacheLayer:MemoryTier:MaxLag", "00:10:00"));
        using var client = await StaleKit.StartOnKestrelAsync(api);
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var warm = await client.GetAsync("/api/users/1");
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        var readsBefore = origin.Reads;
        origin.Hold();

        var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => client.GetAsync("/api/users/1")))
            .WaitAsync(TimeSpan.FromSeconds(15));
        var readsWhileHeld = origin.Reads - readsBefore;
        try
        {
            foreach (var stale in responses)
            {
                Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
                Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
                Assert.Equal("STALE", stale.XCache());
                Assert.Matches("^CacheLayer; hit; ttl=-[0-9]+; fwd=stale; detail=soft-timeout$", stale.CacheStatus());
            }
            Assert.True(readsWhileHeld == 1,
                $"{readsWhileHeld} origin reads; answers: {string.Join(" | ", responses.Select(response => response.CacheStatus()))}");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_clients_next_request_is_not_held_up_by_the_late_origin_call()
    {
        var origin = new HeldOrigin();
        await using var api = SlowOriginApi(origin);
        using var client = await StaleKit.StartOnKestrelAsync(api);
        using var releasedAtEnd = origin.ReleasedAtEnd();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        origin.Hold();
        using var stale = await client.GetAsync("/api/users/1").WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("STALE", stale.XCache());

        await StaleKit.AssertNextRequestsNotHeldAsync(api, client, origin, "the late origin call");
    }

    /// <summary>No stale-while-revalidate window, a 300 ms soft timeout and a hard one longer than any test: a held origin stays held.</summary>
    private ApiFactory SlowOriginApi(HeldOrigin origin, params (string Key, string Value)[] extra) => new(store.Server.ConnectionString)
    {
        Settings = StaleKit.Settings(null, [
            ("Demo:Ttl:Users", "00:00:02"),
            ("CacheLayer:StaleWhileRevalidate", "00:00:00"),
            ("CacheLayer:OriginSoftTimeout", "00:00:00.300"),
            ("CacheLayer:OriginHardTimeout", "00:00:20"),
            .. extra]),
        TestServices = origin.Register,
    };
}
