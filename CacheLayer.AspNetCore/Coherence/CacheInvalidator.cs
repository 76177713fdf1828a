using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Invalidates a path (with all its variants), a tag, a key prefix or one key: in Redis, on the
/// <see cref="InvalidationFeed"/> (the other replicas), and in this process's memory tier and
/// in-flight work. If the store cannot be reached the invalidation is not lost: it waits in
/// <see cref="PendingInvalidations"/> and the circuit keeps the store unread until it is applied.
/// </summary>
internal sealed class CacheInvalidator(
    CacheStoreGuard store,
    InvalidationFeed feed,
    CacheCircuit circuit,
    PendingInvalidations pending,
    ProcessCaches caches,
    CacheMetrics metrics) : ICacheInvalidator
{
    /// <summary>The <c>http.route</c> of invalidations made from code rather than by an endpoint.</summary>
    internal const string CodeRoute = "(code)";

    public Task<CacheInvalidationResult> InvalidatePathAsync(string path) =>
        InvalidateAsync(CodeRoute, CacheInvalidation.Path(Checked(path)));

    public Task<CacheInvalidationResult> InvalidateKeyAsync(string key) =>
        InvalidateAsync(CodeRoute, CacheInvalidation.Key(Checked(key)));

    public Task<CacheInvalidationResult> InvalidateTagAsync(string tag) =>
        InvalidateAsync(CodeRoute, CacheInvalidation.Tag(Checked(tag)));

    public Task<CacheInvalidationResult> InvalidatePrefixAsync(string prefix) =>
        InvalidateAsync(CodeRoute, CacheInvalidation.Prefix(Checked(prefix)));

    /// <summary>Removes what <paramref name="invalidation"/> covers, counted under <paramref name="route"/>.</summary>
    public async Task<CacheInvalidationResult> InvalidateAsync(string route, CacheInvalidation invalidation)
    {
        var result = await store.RunAsync(route, "invalidate", s => feed.RemoveAndAnnounceAsync(s, invalidation), store.InvalidationBudget);
        if (!result.Succeeded)
        {
            pending.Add(invalidation);
            circuit.Open(invalidation);
        }
        // After the store: whatever was read or started before the store's removal is dropped or
        // forgotten here, so nothing that begins once this returns can see the old value.
        caches.Invalidate(invalidation);
        metrics.Invalidation(route);
        return new CacheInvalidationResult(result.Value, Deferred: !result.Succeeded);
    }

    private static string Checked(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return value;
    }
}
