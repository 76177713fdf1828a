using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;
using System.Collections.Concurrent;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Work in flight per key, shared by identical requests: the first asks (the store, or the origin),
/// the others wait for its answer. An invalidation forgets what is in flight for what it covers, so a
/// request that starts after a write never waits on an answer read before it; and while this replica
/// may not have heard of every invalidation (<see cref="InvalidationSync"/>), only recent work is joined.
/// </summary>
internal sealed class Inflight<TResult>(InvalidationSync sync)
{
    private readonly ConcurrentDictionary<CacheKey, TaskCompletionSource<TResult>> _inflight = new();

    /// <summary>
    /// True when this request leads (it must call <see cref="Complete"/> or <see cref="Fail"/>); false
    /// when another request already asks, whose answer <paramref name="leader"/> will give.
    /// </summary>
    public bool TryLead(CacheKey key, out TaskCompletionSource<TResult> leader)
    {
        var mine = new Work(sync.Now);
        while (true)
        {
            leader = _inflight.GetOrAdd(key, mine);
            if (ReferenceEquals(leader, mine))
            {
                return true;
            }
            if (sync.MayJoin(((Work)leader).StartedAt))
            {
                return false;
            }
            // Too old to trust: lead afresh; the old leader still answers the requests that joined it.
            if (_inflight.TryUpdate(key, mine, leader))
            {
                leader = mine;
                return true;
            }
        }
    }

    /// <summary>
    /// Answers the requests waiting on <paramref name="leader"/>, and those that join it from now on, while the
    /// leader finishes (stores what it got); <see cref="Complete"/> then lets later requests ask afresh.
    /// </summary>
    public void Publish(TaskCompletionSource<TResult> leader, TResult result) => leader.TrySetResult(result);

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

    private sealed class Work(long startedAt) : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long StartedAt { get; } = startedAt;
    }
}
