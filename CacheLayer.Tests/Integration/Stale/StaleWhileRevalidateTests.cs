using System.Net;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// Stale-while-revalidate: within <c>StaleWhileRevalidate</c> after expiry, a request answers from the
/// grace copy at once and the entry is refreshed in the background, once per key, however many ask.
/// The origin is held, so "at once" means: answered while the origin has not answered. On real Kestrel,
/// as a client on a real connection sees it (see <see cref="StaleKit.StartOnKestrelAsync"/>).
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class StaleWhileRevalidateTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string Renamed = "Renamed behind the cache";

    private readonly FakeTimeProvider _clock = StaleKit.WholeSecondClock();
    private readonly HeldOrigin _origin = new();
    private ApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = new ApiFactory(store.Server.ConnectionString, time: _clock)
        {
            // 2 s: long enough that the refreshed entry is still fresh when the test reads it back.
            // A hard timeout longer than any test, so a held refresh stays held until the test releases it.
            Settings = StaleKit.Settings(ApiFactory.SettingsForAJumpingClock,
                ("Demo:Ttl:Users", "00:00:02"), ("CacheLayer:OriginHardTimeout", "00:01:00")),
            TestServices = _origin.Register,
        };
        _client = await StaleKit.StartOnKestrelAsync(_api);
    }

    public async Task DisposeAsync()
    {
        _origin.Release();
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Within_the_window_the_grace_copy_answers_at_once_and_the_entry_is_refreshed_in_the_background()
    {
        var stored = await WarmAndExpireAsync();
        _clock.Advance(TimeSpan.FromSeconds(5)); // expired 3 s ago: inside the default 30 s window
        var readsBefore = _origin.Reads;
        _origin.Hold();

        using var stale = await _client.GetAsync("/api/users/1").WaitAsync(TimeSpan.FromSeconds(10));
        await _origin.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(10)); // the refresh is at the (held) origin

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-3; detail=stale-while-revalidate", stale.CacheStatus());
        Assert.Equal(TimeSpan.FromSeconds(5), stale.Headers.Age);
        Assert.Equal(readsBefore + 1, _origin.Reads);

        // The refresh is the only origin call.
        await StaleKit.AssertRefreshedOnReleaseAsync(store, _api, _client, _origin, readsBefore, Renamed, "stale-while-revalidate");
    }

    [Fact]
    public async Task Many_requests_within_the_window_all_answer_stale_and_cause_one_origin_call()
    {
        const int Requests = 20;
        var stored = await WarmAndExpireAsync();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var readsBefore = _origin.Reads;
        _origin.Hold();

        var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => _client.GetAsync("/api/users/1")))
            .WaitAsync(TimeSpan.FromSeconds(20));
        await _origin.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        var readsWhileHeld = _origin.Reads - readsBefore;
        _origin.Release();
        await StaleKit.UntilExistsAsync(store.Redis, _api.RedisKey(StaleKit.UserKey));
        using var fresh = await _client.GetAsync("/api/users/1");

        try
        {
            foreach (var stale in responses)
            {
                Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
                Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
                Assert.Equal("STALE", stale.XCache());
                Assert.Matches("^CacheLayer; hit; ttl=-3; detail=stale-while-revalidate$", stale.CacheStatus());
            }
            Assert.Equal(1, readsWhileHeld);
            Assert.Equal(1, _origin.Reads - readsBefore);
            Assert.Equal("HIT", fresh.XCache());
            Assert.Equal(Renamed, await StaleKit.NameAsync(fresh));
            var samples = await StaleKit.MetricsAsync(_client);
            Assert.Equal(Requests, samples.Single(StaleKit.StaleMetric, PrometheusSamples.CacheScope,
                ("cachelayer_reason", "stale-while-revalidate"), ("http_route", StaleKit.UsersRoute)));
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
    public async Task The_clients_next_request_is_not_held_up_by_the_background_refresh()
    {
        using var other = await _client.GetAsync("/api/posts/?nocache=true");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var stored = await WarmAndExpireAsync();
        _clock.Advance(TimeSpan.FromSeconds(5));
        _origin.Hold();
        using var stale = await _client.GetAsync("/api/users/1").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal(stored, await stale.Content.ReadAsStringAsync());
        await _origin.ReadWaiting.WaitAsync(TimeSpan.FromSeconds(10));

        await StaleKit.AssertNextRequestsNotHeldAsync(_api, _client, _origin, "the background refresh");
    }

    /// <summary>Warms user 1, renames it behind the cache, and waits until Redis has expired the entry.</summary>
    private async Task<string> WarmAndExpireAsync()
    {
        using var warm = await _client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        var stored = await warm.Content.ReadAsStringAsync();
        Assert.Contains("Cached User A", stored);
        Assert.True(await _api.Service<IUserStore>().TryRenameAsync(1, Renamed, CancellationToken.None));
        await StaleKit.UntilGoneAsync(store.Redis, _api.RedisKey(StaleKit.UserKey));
        Assert.True(await StaleKit.HasCopyAsync(store.Redis, _api, StaleKit.UserKey));
        return stored;
    }
}
