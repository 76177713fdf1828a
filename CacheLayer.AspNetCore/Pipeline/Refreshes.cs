using System.Runtime.CompilerServices;
using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>What a refresh came to: its answer (if any), why the copy should answer instead (if so), and whether it was stored.</summary>
internal readonly record struct RefreshOutcome(CacheEntry? Response, StaleReason? Failure, bool Stored, CacheMissDetail Detail, int? FailedStatus = null);

/// <summary>
/// Refreshes an entry apart from the client's request (<see cref="DetachedRefresh"/>): for a grace copy past its
/// TTL, and eagerly (FusionCache's eager refresh) for a hit past <see cref="CacheLayerOptions.EagerRefreshThreshold"/>
/// of its TTL. At most <see cref="CacheLayerOptions.MaxConcurrentRefreshes"/> run at once; each is bounded by
/// <see cref="CacheLayerOptions.MaxBodySizeBytes"/>; an origin that fails, or answers what may not be stored
/// (too large, private), is not asked again for that key for <see cref="CacheLayerOptions.OriginFailureBackoff"/>,
/// eager refreshes included.
/// </summary>
internal sealed class Refreshes(
    Inflight<CacheEntry> misses, OriginBackoff backoff, EntryStore entries, MemoryTier tier, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private readonly ConditionalWeakTable<CacheEntry, CacheEntry> _refreshedEarly = [];
    private readonly double? _eagerRefreshAfter = options.Value.EagerRefreshThreshold;
    private readonly int _maxRunning = options.Value.MaxConcurrentRefreshes;
    private readonly int _maxBodyBytes = options.Value.MaxBodySizeBytes;
    private int _running;

    /// <summary>
    /// Starts a refresh that <paramref name="leader"/> leads, on a flow of its own (no <see cref="ExecutionContext"/>
    /// from the client's request); null, with the leader failed, when as many refreshes as allowed already run.
    /// Any fault of the refresh is observed, as no one may be waiting for it.
    /// </summary>
    public Task<RefreshOutcome>? Start(CacheRequest request, TaskCompletionSource<CacheEntry> leader, CacheGenerations? known)
    {
        if (Interlocked.Increment(ref _running) > _maxRunning)
        {
            Interlocked.Decrement(ref _running);
            misses.Fail(request.Key, leader, new InvalidOperationException("As many refreshes as allowed are running."));
            return null;
        }
        var refresh = new DetachedRefresh(request, time, _maxBodyBytes);
        Task<RefreshOutcome> refreshed;
        using (ExecutionContext.SuppressFlow())
        {
            refreshed = Task.Run(() => RefreshAsync(request, refresh, known, leader));
        }
        _ = refreshed.ContinueWith(task =>
        {
            Interlocked.Decrement(ref _running);
            _ = task.Exception;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return refreshed;
    }

    /// <summary>
    /// Eager refresh: a hit on an entry past the threshold of its TTL starts a refresh in the background, once per
    /// key at a time and once per entry read, unless the key's origin is backing off. The memory tier's epoch is
    /// read now: a write after it stops the refreshed answer from being kept.
    /// </summary>
    public void RefreshIfOld(in CacheRequest request, CacheEntry entry, DateTimeOffset now)
    {
        if (_eagerRefreshAfter is not { } after || now - entry.StoredAt < after * (entry.ExpiresAt - entry.StoredAt))
        {
            return;
        }
        // By reference: a memory-tier copy is one object for many hits.
        if (!backoff.TryGet(request.Key, out _, out _) && _refreshedEarly.TryAdd(entry, entry) && misses.TryLead(request.Key, out var leader))
        {
            _ = Start(request with { Epoch = tier.Epoch }, leader, known: null);
        }
    }

    /// <summary>
    /// Asks the origin apart from the client's request, shares the answer with the requests waiting on it, and
    /// stores it if it is a 200 that may be shared, under the generations read before the origin was asked.
    /// </summary>
    private async Task<RefreshOutcome> RefreshAsync(CacheRequest request, DetachedRefresh refresh, CacheGenerations? known, TaskCompletionSource<CacheEntry> leader)
    {
        await using (refresh)
        {
            if ((known ?? await entries.ReadGenerationsAsync(request)) is not { } generations)
            {
                misses.Fail(request.Key, leader, new InvalidOperationException("The store did not answer."));
                return new RefreshOutcome(null, StaleReason.OriginError, false, CacheMissDetail.StoreUnavailable);
            }
            try
            {
                await refresh.RunAsync();
            }
            catch (Exception exception)
            {
                var reason = refresh.TimedOut ? StaleReason.OriginTimeout : StaleReason.OriginError;
                misses.Fail(request.Key, leader, exception);
                backoff.Failed(request.Key, reason, null);
                return new RefreshOutcome(null, reason, false, CacheMissDetail.None);
            }
            if (refresh.TimedOut)
            {
                // Whatever came after the deadline (error handling's 499 for a handler that honoured its token) is not an answer.
                misses.Fail(request.Key, leader, new TimeoutException("The origin did not answer within the hard timeout."));
                backoff.Failed(request.Key, StaleReason.OriginTimeout, null);
                return new RefreshOutcome(null, StaleReason.OriginTimeout, false, CacheMissDetail.None);
            }
            if (refresh.Captured is not { } response)
            {
                // Too large to keep: the copy answers, and the origin is not asked again for a while.
                misses.Fail(request.Key, leader, new InvalidOperationException("The refreshed response is too large to keep."));
                backoff.Failed(request.Key, StaleReason.Unstorable, null);
                return new RefreshOutcome(null, StaleReason.Unstorable, false, CacheMissDetail.TooLarge);
            }
            if (response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                misses.Complete(request.Key, leader, response);
                backoff.Failed(request.Key, StaleReason.OriginStatus, response.StatusCode);
                return new RefreshOutcome(response, StaleReason.OriginStatus, false, CacheMissDetail.None, response.StatusCode);
            }
            if (entries.PrivacyOf(refresh.Response, response) is { } unshareable)
            {
                misses.Fail(request.Key, leader, new InvalidOperationException("The refreshed response is not shareable."));
                backoff.Failed(request.Key, StaleReason.Unstorable, null);
                return new RefreshOutcome(response, null, false, unshareable);
            }
            backoff.Succeeded(request.Key);
            misses.Publish(leader, response);
            try
            {
                var (stored, detail) = await entries.StoreAsync(request, response, generations);
                return new RefreshOutcome(response, null, stored, detail == CacheMissDetail.VariantLimit ? CacheMissDetail.None : detail);
            }
            catch (Exception)
            {
                return new RefreshOutcome(response, null, false, CacheMissDetail.StoreUnavailable);
            }
            finally
            {
                misses.Complete(request.Key, leader, response);
            }
        }
    }
}
