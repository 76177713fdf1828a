using CacheLayer.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Unit;

public class OriginBackoffTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_failure_is_remembered_for_the_backoff_then_forgotten()
    {
        var backoff = Backoff(TimeSpan.FromSeconds(5));
        var key = new CacheKey("GET:/api/users/1", "");
        backoff.Failed(key, StaleReason.OriginStatus, 503);

        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(backoff.TryGet(key, out var reason, out var status));
        Assert.Equal((StaleReason.OriginStatus, 503), (reason, status));

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(backoff.TryGet(key, out _, out _));
    }

    [Fact]
    public void A_success_ends_the_backoff_and_zero_turns_it_off()
    {
        var key = new CacheKey("GET:/api/users/1", "");
        var backoff = Backoff(TimeSpan.FromSeconds(5));
        backoff.Failed(key, StaleReason.OriginError, null);
        backoff.Succeeded(key);
        var off = Backoff(TimeSpan.Zero);
        off.Failed(key, StaleReason.OriginError, null);

        Assert.False(backoff.TryGet(key, out _, out _));
        Assert.False(off.TryGet(key, out _, out _));
    }

    [Fact]
    public void It_remembers_at_most_its_capacity_of_keys_making_room_from_expired_ones()
    {
        var backoff = Backoff(TimeSpan.FromSeconds(5));
        for (var i = 0; i < OriginBackoff.Capacity; i++)
        {
            backoff.Failed(Key(i), StaleReason.OriginError, null);
        }
        backoff.Failed(Key(-1), StaleReason.OriginError, null);
        Assert.False(backoff.TryGet(Key(-1), out _, out _));
        Assert.True(backoff.TryGet(Key(0), out _, out _));

        _clock.Advance(TimeSpan.FromSeconds(5));
        backoff.Failed(Key(-1), StaleReason.OriginError, null);
        Assert.True(backoff.TryGet(Key(-1), out _, out _));
    }

    private static CacheKey Key(int i) => new("GET:/api/users/" + i, "");

    private OriginBackoff Backoff(TimeSpan backoff) => new(Options.Create(new CacheLayerOptions { OriginFailureBackoff = backoff }), _clock);
}
