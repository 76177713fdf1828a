namespace CacheLayer.Api.Caching;

/// <summary>
/// Invalidates a path (with all its variants), a tag or a key prefix. If the store cannot be reached
/// the invalidation is not lost: the <see cref="CacheCircuit"/> keeps it and the store is not read
/// again until it is applied.
/// </summary>
public sealed class CacheInvalidator(CacheStoreGuard store, CacheCircuit circuit, InflightMisses inflight, CacheMetrics metrics)
{
    /// <summary>Removes what <paramref name="invalidation"/> covers; the count, or null when the store did not answer (deferred).</summary>
    public async Task<long?> InvalidateAsync(string route, CacheInvalidation invalidation)
    {
        inflight.Forget(invalidation);
        var result = await store.RunAsync(route, "invalidate", s => s.InvalidateAsync(invalidation));
        if (!result.Succeeded)
        {
            circuit.Defer(invalidation);
        }
        metrics.Invalidation(route);
        return result.Succeeded ? result.Value : null;
    }
}
