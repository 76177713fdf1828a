using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
namespace CacheLayer.AspNetCore.Coherence;

/// <summary>One Redis read per key at a time: concurrent lookups of the same key share it.</summary>
internal sealed class SharedReads(CacheStoreGuard store, InvalidationSync sync)
{
    private readonly Inflight<StoreCallResult<CacheLookup>> _reads = new(sync);

    public async Task<StoreCallResult<CacheLookup>> GetAsync(string route, CacheKey key, IReadOnlyList<string> tags)
    {
        if (!_reads.TryLead(key, out var leader))
        {
            return await leader.Task;
        }
        var lookup = await store.RunAsync(route, "get", s => s.GetAsync(key, tags));
        _reads.Complete(key, leader, lookup);
        return lookup;
    }

    /// <summary>Later lookups of what <paramref name="invalidation"/> covers read afresh.</summary>
    public void Forget(CacheInvalidation invalidation) => _reads.Forget(invalidation);
}
