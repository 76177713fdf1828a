using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// Applies a missed invalidation for the recovery, telling a retryable failure from one the store gives for good
/// (<see cref="StoreErrors.IsDeterministic"/>, such as <c>WRONGTYPE</c>). The latter is not retried forever, which
/// would keep the circuit open: it is logged once, counted (<c>cachelayer.cache.errors</c>, route <c>(recovery)</c>,
/// operation <c>invalidate-dropped</c>), and what it covered is invalidated another way, everything at once; if even
/// that is refused for good, this process's memory and work in flight are dropped and it is given up.
/// </summary>
internal sealed partial class InvalidationReplay(
    CacheStoreGuard store, InvalidationFeed feed, ProcessCaches caches, CacheMetrics metrics, ILogger<InvalidationReplay> logger)
{
    private const string Route = "(recovery)";

    // Replaying every missed invalidation may take longer than one request's store call.
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(30);

    /// <summary>True when the invalidation is applied, or given up for good (logged, counted, covered otherwise); false: try again later.</summary>
    public async Task<bool> ApplyAsync(CacheInvalidation invalidation)
    {
        var result = await ReplayAsync(invalidation);
        if (result.Succeeded)
        {
            return true;
        }
        if (!StoreErrors.IsDeterministic(result.Error))
        {
            return false;
        }
        Dropped(invalidation, result.Error!);
        if (invalidation.Kind == CacheInvalidationKind.All)
        {
            caches.Invalidate(CacheInvalidation.All);
            return true;
        }
        return await ApplyAsync(CacheInvalidation.All);
    }

    private void Dropped(CacheInvalidation invalidation, Exception error)
    {
        metrics.Error(Route, "invalidate-dropped");
        LogDropped(logger, invalidation.ToString(), error.Message);
    }

    private Task<StoreCallResult<long>> ReplayAsync(CacheInvalidation invalidation) =>
        store.ProbeAsync(invalidation.Kind == CacheInvalidationKind.All ? "invalidate-all" : "invalidate", s => feed.RemoveAndAnnounceAsync(s, invalidation), ReplayTimeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "The cache store refuses the invalidation of {Invalidation} for good ({Reason}); not retried: what it covered is invalidated another way")]
    private static partial void LogDropped(ILogger logger, string invalidation, string reason);
}
