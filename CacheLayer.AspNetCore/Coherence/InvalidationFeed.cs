using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Tells every API process sharing the store what was invalidated, over the Redis channel
/// <c>{KeyPrefix}__cachelayer:invalidations</c>, so each drops its memory-tier copies.
/// <see cref="CacheInvalidationSubscriber"/> is the receiving end.
/// </summary>
internal sealed class InvalidationFeed(RedisConnection redis, IOptions<CacheLayerOptions> options)
{
    public RedisChannel Channel { get; } = RedisChannel.Literal(options.Value.KeyPrefix + "__cachelayer:invalidations");

    /// <summary>Removes what <paramref name="invalidation"/> covers from the store, then announces it; how many entries were removed.</summary>
    public async Task<long> RemoveAndAnnounceAsync(IResponseCacheStore store, CacheInvalidation invalidation)
    {
        var removed = await store.InvalidateAsync(invalidation);
        await (await redis.DatabaseAsync()).PublishAsync(Channel, invalidation.Serialize());
        return removed;
    }
}
