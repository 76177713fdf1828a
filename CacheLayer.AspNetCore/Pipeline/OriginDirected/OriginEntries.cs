using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>What the cache holds for a request: the stored response whose <c>Vary</c> the request matches, fresh or not.</summary>
/// <param name="Entry">The stored response; null when none matches.</param>
/// <param name="Stored">Its parsed header fields.</param>
/// <param name="Tier">Where it was found.</param>
/// <param name="Generations">The generations read along, for a store after the origin is asked; null when not read.</param>
/// <param name="StoreAnswered">Redis answered (else the request goes on without it).</param>
internal readonly record struct FoundResponse(CacheEntry? Entry, StoredHttpResponse? Stored, CacheTier Tier, CacheGenerations? Generations, bool StoreAnswered);

/// <summary>
/// The origin-directed cache's reads and writes, over the same memory tier and Redis entries as every cached
/// endpoint. A response with <c>Vary</c> is stored twice: under its URL (the latest variant, with the request
/// values it was selected by) and under a variant key built from those values, so the latest variant costs one
/// read and any other two.
/// </summary>
internal sealed class OriginEntries(SharedReads reads, MemoryTier tier, CacheStoreGuard store, TimeProvider time, Policies.OriginDirectedRules rules)
{
    public long Epoch => tier.Epoch;

    /// <summary>The response in this process's memory tier for <paramref name="request"/>, when its <c>Vary</c> matches.</summary>
    public bool TryMemory(CacheKey key, HttpRequest request, out CacheEntry entry, out StoredHttpResponse stored)
    {
        if (tier.TryGet(key, out entry))
        {
            stored = StoredHttpResponse.Of(entry, rules.ActAsCdn);
            return stored.Matches(request);
        }
        stored = null!;
        return false;
    }

    /// <summary>
    /// The stored response for <paramref name="request"/>: from memory, else from Redis, which fills the memory tier
    /// with a fresh one unless something was invalidated since <paramref name="epoch"/>.
    /// </summary>
    public async Task<FoundResponse> FindAsync(string route, CacheKey key, HttpRequest request, long epoch)
    {
        if (tier.TryGet(key, out var remembered))
        {
            var stored = StoredHttpResponse.Of(remembered, rules.ActAsCdn);
            if (stored.Matches(request))
            {
                return new FoundResponse(remembered, stored, CacheTier.Memory, null, true);
            }
            if (tier.TryGet(VariantKey(key, request, stored), out var variant) && StoredHttpResponse.Of(variant, rules.ActAsCdn) is { } selected && selected.Matches(request))
            {
                return new FoundResponse(variant, selected, CacheTier.Memory, null, true);
            }
        }
        var lookup = await reads.GetAsync(route, key, []);
        if (!lookup.Succeeded)
        {
            return new FoundResponse(null, null, CacheTier.Redis, null, false);
        }
        var generations = lookup.Value.Generations;
        if ((lookup.Value.Entry ?? lookup.Value.Stale) is not { } entry)
        {
            return new FoundResponse(null, null, CacheTier.Redis, generations, true);
        }
        var found = StoredHttpResponse.Of(entry, rules.ActAsCdn);
        if (found.Matches(request))
        {
            if (lookup.Value.Entry is not null && !found.NoCache && entry.ExpiresAt > time.GetUtcNow())
            {
                tier.Set(key, entry, [], epoch);
            }
            return new FoundResponse(entry, found, CacheTier.Redis, generations, true);
        }
        if (found.Selected.Count == 0)
        {
            return new FoundResponse(null, null, CacheTier.Redis, generations, true);
        }
        var second = await reads.GetAsync(route, VariantKey(key, request, found), []);
        if (second.Succeeded && (second.Value.Entry ?? second.Value.Stale) is { } other && StoredHttpResponse.Of(other, rules.ActAsCdn) is { } variantStored && variantStored.Matches(request))
        {
            return new FoundResponse(other, variantStored, CacheTier.Redis, second.Value.Generations ?? generations, true);
        }
        return new FoundResponse(null, null, CacheTier.Redis, generations, true);
    }

    /// <summary>The generations of the key's path, read before the origin is asked; null when Redis did not answer.</summary>
    public async Task<CacheGenerations?> ReadGenerationsAsync(string route, CacheKey key)
    {
        var read = await store.RunAsync(route, "generations", s => s.GetGenerationsAsync(key.Path, []));
        return read.Succeeded ? read.Value : null;
    }

    /// <summary>
    /// Stores the response under its URL (and its variant key), kept <paramref name="grace"/> past its freshness,
    /// unless the path was invalidated since <paramref name="generations"/> were read; fills the memory tier while fresh.
    /// </summary>
    public async Task<bool> StoreAsync(string route, CacheKey key, CacheEntry entry, StoredHttpResponse stored, CacheGenerations generations, long epoch, TimeSpan grace)
    {
        if (stored.Selected.Count > 0 && generations.Path.Length == 0)
        {
            // Both stores below create the path's first token, the same one.
            generations = generations with { FirstPathToken = CacheGenerations.NewPathToken() };
        }
        if (!await SetAsync(route, key, entry, generations, grace))
        {
            return false;
        }
        if (stored.Selected.Count > 0)
        {
            await SetAsync(route, new CacheKey(key.Path, KeyQuery(key), VaryFields.VariantOf(stored.Selected)), entry, generations, grace);
        }
        if (entry.ExpiresAt > time.GetUtcNow() && !stored.NoCache)
        {
            tier.Set(key, entry, [], epoch);
        }
        return true;
    }

    private async Task<bool> SetAsync(string route, CacheKey key, CacheEntry entry, CacheGenerations generations, TimeSpan grace)
    {
        var set = await store.RunAsync(route, "set", s => s.SetAsync(key, entry, generations, [], grace));
        return set.Succeeded && set.Value == StoreOutcome.Stored;
    }

    private static CacheKey VariantKey(CacheKey key, HttpRequest request, StoredHttpResponse stored) =>
        new(key.Path, KeyQuery(key), VaryFields.VariantOf(VaryFields.Select(request, stored.Selected.Select(selected => selected.Name).ToList())));

    private static string KeyQuery(CacheKey key) =>
        key.Value.Length > key.Path.Length && key.Value[key.Path.Length] == '?' ? key.Value[(key.Path.Length + 1)..].Split(CacheKey.VarySeparator)[0] : "";
}
