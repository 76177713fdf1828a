using System.Collections.Concurrent;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Stampede protection: the first miss for a key asks the origin, identical misses that arrive
/// meanwhile wait for its response instead. A write forgets the misses in flight for the paths it
/// invalidates, so a request that starts after the write never waits on an answer read before it.
/// </summary>
public sealed class InflightMisses
{
    private readonly ConcurrentDictionary<CacheKey, TaskCompletionSource<CapturedResponse>> _inflight = new();

    /// <summary>
    /// True when this request leads (it must call <see cref="Complete"/> or <see cref="Fail"/>); false
    /// when another request already asks the origin, whose response <paramref name="leader"/> will give.
    /// </summary>
    public bool TryLead(CacheKey key, out TaskCompletionSource<CapturedResponse> leader)
    {
        var mine = new TaskCompletionSource<CapturedResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        leader = _inflight.GetOrAdd(key, mine);
        return ReferenceEquals(leader, mine);
    }

    public void Complete(CacheKey key, TaskCompletionSource<CapturedResponse> leader, CapturedResponse response)
    {
        _inflight.TryRemove(KeyValuePair.Create(key, leader));
        leader.TrySetResult(response);
    }

    public void Fail(CacheKey key, TaskCompletionSource<CapturedResponse> leader, Exception exception)
    {
        _inflight.TryRemove(KeyValuePair.Create(key, leader));
        leader.TrySetException(exception);
    }

    /// <summary>Later misses on what <paramref name="invalidation"/> covers ask the origin afresh.</summary>
    public void Forget(CacheInvalidation invalidation)
    {
        foreach (var key in _inflight.Keys)
        {
            var covered = invalidation.Kind switch
            {
                CacheInvalidationKind.Path => key.Path == invalidation.Value,
                CacheInvalidationKind.Prefix => key.Value.StartsWith(invalidation.Value, StringComparison.Ordinal),
                _ => true, // in-flight misses do not know their tags: forgetting them all is safe, only less shared
            };
            if (covered)
            {
                _inflight.TryRemove(key, out _);
            }
        }
    }
}
