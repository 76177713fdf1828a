using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>What Redis held for a request: the entry, else its grace copy, and the generations read along.</summary>
/// <param name="Entry">The live entry.</param>
/// <param name="Copy">The grace copy, when there is no live entry and the endpoint keeps copies.</param>
/// <param name="Generations">The generations read with the lookup, for the miss to store under.</param>
/// <param name="StoreAnswered">The store answered (else the miss goes on without it).</param>
internal readonly record struct RedisLookup(CacheEntry? Entry, CacheEntry? Copy, CacheGenerations? Generations, bool StoreAnswered);

/// <summary>
/// The lookup behind the memory tier: one shared Redis read per key at a time, which also brings the entry's
/// grace copy for an endpoint that keeps copies. A live entry found in Redis fills the memory tier unless something was invalidated
/// since the request read the tier's epoch.
/// </summary>
internal sealed class TieredLookup(SharedReads reads, MemoryTier tier)
{
    /// <summary>The memory tier's epoch: read before the store is, so a copy read then fills the tier only if nothing was invalidated since.</summary>
    public long Epoch => tier.Epoch;

    /// <summary>The entry from this process's memory tier: a hit with no round trip.</summary>
    public bool TryMemory(CacheKey key, out CacheEntry entry) => tier.TryGet(key, out entry);

    public async Task<RedisLookup> ReadAsync(CacheRequest request)
    {
        var lookup = await reads.GetAsync(request.Route, request.Key, request.Policy.Tags);
        if (lookup.Value.Entry is { } entry)
        {
            tier.Set(request.Key, entry, request.Policy.Tags, request.Epoch);
            return new RedisLookup(entry, null, null, true);
        }
        // The one read brings the entry's grace copy along (an entry past its TTL, within its grace).
        if (lookup.Succeeded && request.Stale.KeepsCopies && lookup.Value is { Stale: { } copy, Generations: { } generations })
        {
            return new RedisLookup(null, copy, generations, true);
        }
        return new RedisLookup(null, null, lookup.Value.Generations, lookup.Succeeded);
    }
}
