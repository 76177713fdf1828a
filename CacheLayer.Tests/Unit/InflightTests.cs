using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Unit;

public class InflightTests
{
    private static readonly TimeSpan MaxLag = new CacheLayerMemoryTierOptions().MaxLag;
    private readonly FakeTimeProvider _clock = new();
    private readonly InvalidationSync _sync;

    public InflightTests()
    {
        _sync = new InvalidationSync(Options.Create(new CacheLayerOptions()), _clock);
        _sync.Applied(_sync.Now);
    }

    private static readonly CacheKey Key = new("GET:/api/users/1", "");
    private static readonly CacheEntry Response = new(200, "application/json", "\"e\"", new byte[] { 1, 2, 3 }, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1));

    [Fact]
    public void The_first_miss_leads_and_identical_misses_follow_it()
    {
        var inflight = new Inflight<CacheEntry>(_sync);

        Assert.True(inflight.TryLead(Key, out var leader));
        Assert.False(inflight.TryLead(Key, out var followed));
        Assert.Same(leader, followed);
        Assert.True(inflight.TryLead(new CacheKey(Key.Path, "page=2"), out _));
    }

    [Fact]
    public async Task Followers_get_the_leaders_response_and_the_next_miss_leads_again()
    {
        var inflight = new Inflight<CacheEntry>(_sync);
        inflight.TryLead(Key, out var leader);
        inflight.TryLead(Key, out var followed);

        inflight.Complete(Key, leader, Response);

        Assert.Same(Response, await followed.Task);
        Assert.True(inflight.TryLead(Key, out _));
    }

    [Fact]
    public void After_a_write_forgets_the_path_no_miss_joins_a_leader_that_started_before_it()
    {
        var inflight = new Inflight<CacheEntry>(_sync);
        inflight.TryLead(Key, out var before);
        inflight.TryLead(new CacheKey(Key.Path, "a=1"), out _);

        inflight.Forget(CacheInvalidation.Path(Key.Path));

        Assert.True(inflight.TryLead(Key, out var after));
        Assert.NotSame(before, after);
        Assert.True(inflight.TryLead(new CacheKey(Key.Path, "a=1"), out _));
    }

    [Fact]
    public async Task A_failed_leader_fails_its_followers_and_frees_the_key()
    {
        var inflight = new Inflight<CacheEntry>(_sync);
        inflight.TryLead(Key, out var leader);
        inflight.TryLead(Key, out var followed);

        inflight.Fail(Key, leader, new InvalidOperationException("origin down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => followed.Task);
        Assert.True(inflight.TryLead(Key, out _));
    }

    [Fact]
    public void A_replica_current_with_the_invalidation_log_joins_work_of_any_age()
    {
        var inflight = new Inflight<CacheEntry>(_sync);
        inflight.TryLead(Key, out var leader);
        _clock.Advance(MaxLag * 3);
        _sync.Applied(_sync.Now);

        Assert.False(inflight.TryLead(Key, out var followed));
        Assert.Same(leader, followed);
    }

    [Fact]
    public void A_replica_behind_the_invalidation_log_joins_only_work_younger_than_the_allowed_lag()
    {
        var inflight = new Inflight<CacheEntry>(_sync);
        inflight.TryLead(Key, out var old);
        _clock.Advance(MaxLag + TimeSpan.FromMilliseconds(1));
        Assert.False(_sync.IsCurrent);

        Assert.True(inflight.TryLead(Key, out var fresh));
        Assert.NotSame(old, fresh);
        Assert.False(inflight.TryLead(Key, out var followed));
        Assert.Same(fresh, followed);
    }
}
