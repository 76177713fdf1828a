using CacheLayer.AspNetCore.Storage;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Tells every replica sharing the store what was invalidated: it appends the invalidation to the shared log
/// (<see cref="IInvalidationLogStore"/>), which <see cref="InvalidationLogReader"/> reads on every replica, and rings
/// the doorbell so they read it at once rather than at their next poll. It counts as done only once the store's own
/// replicas hold it too (<see cref="IStoreReplication"/>): otherwise it throws, and the caller keeps it to apply again,
/// so a failover to a replica that missed it cannot bring back what it removed.
/// </summary>
internal sealed class InvalidationFeed(IInvalidationLogStore log, IStoreReplication replication, ReplicaIdentity replica)
{
    /// <summary>Removes what <paramref name="invalidation"/> covers from the store, then logs it; how many entries were removed.</summary>
    public Task<long> RemoveAndAnnounceAsync(IResponseCacheStore store, CacheInvalidation invalidation) =>
        replication.ReplicatedAsync(async () =>
        {
            // Store first: a replica that applies the logged invalidation and then reads Redis must find the new generation.
            var removed = await store.InvalidateAsync(invalidation);
            await log.AppendAsync(invalidation, replica.Id);
            // Only a doorbell: a lost one costs the other replicas one poll interval, never an invalidation.
            log.Ring(replica.Id);
            return removed;
        });
}
