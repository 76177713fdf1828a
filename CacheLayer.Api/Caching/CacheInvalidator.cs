namespace CacheLayer.Api.Caching;

/// <summary>
/// Invalidates a path and all its query variants. If the store cannot be reached the invalidation
/// is not lost: the <see cref="CacheCircuit"/> keeps it and the store is not read again until it is applied.
/// </summary>
public sealed class CacheInvalidator(CacheStoreGuard store, CacheCircuit circuit, InflightMisses inflight, CacheMetrics metrics)
{
    public async Task InvalidatePathAsync(string route, string path)
    {
        inflight.Forget(path);
        if (!(await store.RunAsync(route, "invalidate", s => s.InvalidatePathAsync(path))).Succeeded)
        {
            circuit.Defer(path);
        }
        metrics.Invalidation(route);
    }
}
