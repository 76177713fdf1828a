namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Makes writes the store acknowledged safe from a failover: they count only once the store's replicas hold them
/// too (see <see cref="RedisReplication"/>), so a replica promoted afterwards cannot bring back what they replaced.
/// What the coherence code needs of the store's replication, without a Redis type.
/// </summary>
internal interface IStoreReplication
{
    /// <summary>
    /// Runs <paramref name="writes"/>, then waits until every replica that was online when they began holds them,
    /// within <see cref="CacheLayerOptions.ReplicaAckTimeout"/>; throws <see cref="ReplicasBehindException"/> when
    /// one has not acknowledged them by then (the writes were made, but a failover could still undo them).
    /// </summary>
    Task<T> ReplicatedAsync<T>(Func<Task<T>> writes);
}

/// <summary>The store made the writes, but not every replica acknowledged them in time: a failover could undo them.</summary>
internal sealed class ReplicasBehindException(string message) : Exception(message);
