using CacheLayer.AspNetCore.Storage;
namespace CacheLayer.AspNetCore.Coherence;

/// <summary>What this process holds besides Redis: the memory tier, and the reads and misses in flight.</summary>
internal sealed class ProcessCaches(MemoryTier tier, Inflight<CacheEntry> misses, SharedReads reads)
{
    /// <summary>
    /// Drops what <paramref name="invalidation"/> covers, and forgets the work in flight on it, so a
    /// request that starts after this returns can only read afresh.
    /// </summary>
    public void Invalidate(CacheInvalidation invalidation)
    {
        tier.Invalidate(invalidation);
        misses.Forget(invalidation);
        reads.Forget(invalidation);
    }
}
