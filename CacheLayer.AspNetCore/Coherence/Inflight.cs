using System.Collections.Concurrent;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Work in flight per key, shared by identical requests: the first asks (the store, or the origin),
/// the others wait for its answer. An invalidation forgets what is in flight for what it covers, so a
/// request that starts after a write never waits on an answer read before it.
/// </summary>
internal sealed class Inflight<TResult>
{
    private readonly ConcurrentDictionary<CacheKey, TaskCompletionSource<TResult>> _inflight = new();

    /// <summary>
    /// True when this request leads (it must call <see cref="Complete"/> or <see cref="Fail"/>); false
    /// when another request already asks, whose answer <paramref name="leader"/> will give.
    /// </summary>
    public bool TryLead(CacheKey key, out TaskCompletionSource<TResult> leader)
    {
        var mine = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        leader = _inflight.GetOrAdd(key, mine);
        return ReferenceEquals(leader, mine);
    }

    public void Complete(CacheKey key, TaskCompletionSource<TResult> leader, TResult result)
    {
        _inflight.TryRemove(KeyValuePair.Create(key, leader));
        leader.TrySetResult(result);
    }

    public void Fail(CacheKey key, TaskCompletionSource<TResult> leader, Exception exception)
    {
        _inflight.TryRemove(KeyValuePair.Create(key, leader));
        leader.TrySetException(exception);
    }

    /// <summary>Later requests for what <paramref name="invalidation"/> covers ask afresh.</summary>
    public void Forget(CacheInvalidation invalidation)
    {
        if (_inflight.IsEmpty)
        {
            return;
        }
        foreach (var key in _inflight.Keys)
        {
            if (invalidation.Covers(key))
            {
                _inflight.TryRemove(key, out _);
            }
        }
    }
}
