namespace CacheLayer.Api.Caching;

/// <summary>Where cached responses live. Calls may fail or hang; <see cref="CacheStoreGuard"/> bounds them.</summary>
public interface IResponseCacheStore
{
    /// <summary>The entry at <paramref name="key"/> and the generations of its path and <paramref name="tags"/>, in one round trip.</summary>
    Task<CacheLookup> GetAsync(CacheKey key, IReadOnlyList<string> tags);

    /// <summary>The generations alone, for a refresh that does not read the entry.</summary>
    Task<CacheGenerations> GetGenerationsAsync(string path, IReadOnlyList<string> tags);

    /// <summary>
    /// Stores the entry, findable by its <paramref name="tags"/>, unless its path or a tag was
    /// invalidated since <paramref name="generations"/> were read; false if not stored.
    /// </summary>
    Task<bool> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags);

    /// <summary>Advances the generation of the path or tag concerned, then removes the entries; returns how many were removed.</summary>
    Task<long> InvalidateAsync(CacheInvalidation invalidation);

    /// <summary>Removes every entry this layer stored (after too many invalidations were missed to replay them one by one).</summary>
    Task<long> InvalidateAllAsync();

    /// <summary>Removes one exact key; false when there was none.</summary>
    Task<bool> RemoveAsync(string key);

    /// <summary>Live cached entries (not the store's bookkeeping).</summary>
    Task<long> CountAsync();

    /// <summary>Drops bookkeeping of entries that have expired; returns how many.</summary>
    Task<long> TrimExpiredAsync();

    Task<TimeSpan> PingAsync();
}
