using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// Answers from what the layer holds, and counts each outcome once: a hit (from memory or Redis, starting an
/// eager refresh when the entry is old enough), a grace copy, a miss or a bypass; statistics, metrics and the
/// cache headers stay in step.
/// </summary>
internal sealed class CachedAnswers(CacheStatistics statistics, CacheMetrics metrics, Refreshes refreshes, TimeProvider time)
{
    public CacheMetrics Metrics => metrics;

    public Task HitAsync(in CacheRequest request, CacheEntry entry, CacheTier from)
    {
        statistics.Hit(request.Key);
        metrics.Hit(request.Route, from);
        var now = time.GetUtcNow();
        CacheHeaders.Hit(request.Response, entry, now, from);
        refreshes.RefreshIfOld(request, entry, now);
        return CachedResponseWriter.WriteAsync(request, entry, metrics);
    }

    public Task StaleAsync(in CacheRequest request, CacheEntry copy, StaleReason reason, int? originStatus = null, bool forwarded = true)
    {
        statistics.Hit(request.Key);
        metrics.Stale(request.Route, reason);
        CacheHeaders.Stale(request.Response, copy, time.GetUtcNow(), reason, originStatus, forwarded);
        return CachedResponseWriter.WriteAsync(request, copy, metrics);
    }

    /// <summary>Counts a miss (the origin was asked for this request's answer).</summary>
    public void CountMiss(in CacheRequest request)
    {
        statistics.Miss(request.Key);
        metrics.Miss(request.Route);
    }

    public Task RespondAsync(in CacheRequest request, CacheEntry response) => CachedResponseWriter.WriteAsync(request, response, metrics);

    public void CountBypass(in CacheRequest request, CacheBypassReason reason)
    {
        metrics.Bypass(request.Route, reason);
        CacheHeaders.Bypass(request.Response, reason);
    }
}
