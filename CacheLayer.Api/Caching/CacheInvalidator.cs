namespace CacheLayer.Api.Caching;

/// <summary>
/// Invalidates a path (with all its variants), a tag, a key prefix or one key: in Redis (which tells
/// the other API processes) and in this process's memory tier and in-flight work. If the store cannot
/// be reached the invalidation is not lost: the <see cref="CacheCircuit"/> keeps it and the store is
/// not read again until it is applied.
/// </summary>
public sealed class CacheInvalidator(
    CacheStoreGuard store,
    CacheCircuit circuit,
    MemoryTier tier,
    Inflight<CapturedResponse> misses,
    Inflight<StoreCallResult<CacheEntry?>> reads,
    CacheMetrics metrics)
{
    /// <summary>Removes what <paramref name="invalidation"/> covers; how many entries, or null when the store did not answer (deferred).</summary>
    public async Task<long?> InvalidateAsync(string route, CacheInvalidation invalidation)
    {
        var result = await store.RunAsync(route, "invalidate", s => s.InvalidateAsync(invalidation));
        if (!result.Succeeded)
        {
            circuit.Defer(invalidation);
        }
        // After the store: whatever was read or started before the store's removal is dropped or
        // forgotten here, so nothing that begins once this returns can see the old value.
        tier.Invalidate(invalidation);
        misses.Forget(invalidation);
        reads.Forget(invalidation);
        metrics.Invalidation(route);
        return result.Succeeded ? result.Value : null;
    }
}
