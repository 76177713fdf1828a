using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Tells every replica sharing the store what was invalidated: it appends the invalidation to the
/// <see cref="RedisInvalidationLog"/>, which <see cref="InvalidationLogReader"/> reads on every replica, and rings
/// the Redis channel <c>{KeyPrefix}__cachelayer:invalidations</c> so they read it at once rather than at their next poll.
/// </summary>
internal sealed class InvalidationFeed(RedisConnection redis, RedisInvalidationLog log, ReplicaIdentity replica, IOptions<CacheLayerOptions> options)
{
    public RedisChannel Channel { get; } = RedisChannel.Literal(options.Value.KeyPrefix + "__cachelayer:invalidations");

    /// <summary>Removes what <paramref name="invalidation"/> covers from the store, then logs it; how many entries were removed.</summary>
    public async Task<long> RemoveAndAnnounceAsync(IResponseCacheStore store, CacheInvalidation invalidation)
    {
        // Store first: a replica that applies the logged invalidation and then reads Redis must find the new generation.
        var removed = await store.InvalidateAsync(invalidation);
        await log.AppendAsync(invalidation, replica.Id);
        // Only a doorbell: a lost one costs the other replicas one poll interval, never an invalidation.
        (await redis.GetAsync()).GetSubscriber().Publish(Channel, replica.Id, CommandFlags.FireAndForget);
        return removed;
    }
}
