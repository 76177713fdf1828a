namespace CacheLayer.Api.Caching;

/// <summary>Where cached responses live. Calls may fail or hang; <see cref="CacheStoreGuard"/> bounds them.</summary>
public interface IResponseCacheStore
{
    Task<CacheEntry?> GetAsync(CacheKey key);

    Task SetAsync(CacheKey key, CacheEntry entry);

    /// <summary>Removes the entry at <paramref name="path"/> and every query variant of it; returns how many were removed.</summary>
    Task<long> InvalidatePathAsync(string path);

    /// <summary>Removes one exact key; false when there was none.</summary>
    Task<bool> RemoveAsync(string key);

    /// <summary>Live cached entries (not the store's bookkeeping).</summary>
    Task<long> CountAsync();
}
