namespace CacheLayer.Api.Caching;

/// <summary>Where cached responses live. Calls may fail or hang; <see cref="CacheStoreGuard"/> bounds them.</summary>
public interface IResponseCacheStore
{
    /// <summary>The entry at <paramref name="key"/> and its path's generation, in one round trip.</summary>
    Task<CacheLookup> GetAsync(CacheKey key);

    /// <summary>Stores the entry unless its path was invalidated since <paramref name="generation"/> was read; false if not stored.</summary>
    Task<bool> SetAsync(CacheKey key, CacheEntry entry, long generation);

    /// <summary>Advances the path's generation, then removes its entry and every query variant; returns how many were removed.</summary>
    Task<long> InvalidatePathAsync(string path);

    /// <summary>Removes every entry this layer stored (after too many invalidations were missed to replay them one by one).</summary>
    Task<long> InvalidateAllAsync();

    /// <summary>Removes one exact key; false when there was none.</summary>
    Task<bool> RemoveAsync(string key);

    /// <summary>Live cached entries (not the store's bookkeeping).</summary>
    Task<long> CountAsync();

    Task<TimeSpan> PingAsync();
}
