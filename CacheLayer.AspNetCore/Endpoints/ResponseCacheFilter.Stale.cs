using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// The origin's time limits and the grace copy (RFC 5861). Past an entry's TTL its copy stays for the grace
/// period, under the same generation tokens, so an invalidation retires both. A miss that finds the copy
/// asks the origin in a request of its own (<see cref="DetachedRefresh"/>), once per key: within the
/// stale-while-revalidate window it answers with the copy at once, later it waits up to the soft timeout.
/// Either way the refresh goes on without the client and stores the origin's answer. A throw, a 5xx or the
/// hard timeout answers with the copy too. Without a copy, the hard timeout is a 504.
/// </summary>
internal sealed partial class ResponseCacheFilter
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<CacheEntry, CacheEntry> _refreshedEarly = [];

    /// <summary>What the origin did within the hard timeout; not <paramref name="Ended"/> when a 504 answered instead (or the client left).</summary>
    private readonly record struct OriginAnswer(CacheEntry? Response, bool Ended);

    /// <summary>
    /// The handler's answer captured on the request's context, within the hard timeout (null: it outgrew the
    /// body limit and went to the client); a throw propagates. At the timeout, answers 504 and waits for the
    /// handler to end before it returns, so the server keeps the context until then.
    /// </summary>
    private async Task<OriginAnswer> BoundedOriginAsync(CacheRequest request, EndpointFilterDelegate next, Action<HttpResponse> onTooLarge)
    {
        using var call = OriginCall.Start(request.Invocation, next, _stale.OriginHardTimeout, time);
        await call.WaitAsync();
        if (call.Handler.IsCompletedSuccessfully)
        {
            return new OriginAnswer(await ResponseCapture.ExecuteAsync(
                request.HttpContext, call.Handler.Result, time.GetUtcNow(), policy.TimeToLive, _options.MaxBodySizeBytes, onTooLarge), Ended: true);
        }
        if (call.TimedOut && !request.Response.HasStarted)
        {
            CacheHeaders.Miss(request.Response, CacheForward.Miss, stored: false, CacheMissDetail.OriginTimeout);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status504GatewayTimeout,
                title: "The origin did not answer in time",
                detail: $"No answer within {_stale.OriginHardTimeout.TotalSeconds:0.###} s, and no copy of this response to answer with.")
                .ExecuteAsync(request.HttpContext);
            await request.Response.CompleteAsync();
            await call.Settled;
            return new OriginAnswer(null, Ended: false);
        }
        if (call.Handler.IsCompleted)
        {
            await call.Handler; // rethrows the handler's exception
        }
        await call.Settled;
        return new OriginAnswer(null, Ended: false);
    }

    /// <summary>The entry's grace copy, if it is there and still current (same tokens as a hit checks), with the generations read along.</summary>
    private async Task<CacheLookup?> GraceCopyAsync(CacheRequest request)
    {
        var read = await store.RunAsync(request.Route, "get-stale", s => s.GetStaleAsync(request.Key, policy.Tags));
        return read.Succeeded ? read.Value : null;
    }

    private async Task<object?> WithCopyAsync(CacheRequest request, CacheEntry copy, CacheGenerations generations)
    {
        var now = time.GetUtcNow();
        if (copy.ExpiresAt > now)
        {
            // Stored afresh since the lookup: the copy is the new entry's.
            tier.Set(request.Key, copy, policy.Tags, request.Epoch);
            return Hit(request, copy, CacheTier.Redis);
        }
        if (backoff.TryGet(request.Key, out var failure, out var failedStatus))
        {
            // The origin failed for this key moments ago: not asked again yet.
            return Stale(request, copy, failure, failedStatus, forwarded: false);
        }
        var revalidate = now - copy.ExpiresAt <= _stale.StaleWhileRevalidate;
        if (!_misses.TryLead(request.Key, out var leader))
        {
            return revalidate ? Stale(request, copy, StaleReason.WhileRevalidate) : await FollowWithCopyAsync(request, copy, leader);
        }
        if (StartRefresh(request, leader, generations) is not { } refreshed)
        {
            return Stale(request, copy, StaleReason.OriginError);
        }
        try
        {
            await refreshed.WaitAsync(revalidate ? TimeSpan.Zero : _stale.OriginSoftTimeout, time);
        }
        catch (TimeoutException)
        {
            // The refresh goes on without the client.
            return Stale(request, copy, revalidate ? StaleReason.WhileRevalidate
                : _stale.OriginSoftTimeout >= _stale.OriginHardTimeout ? StaleReason.OriginTimeout : StaleReason.SoftTimeout);
        }
        var outcome = await refreshed;
        if (outcome.Failure is { } reason)
        {
            return Stale(request, copy, reason, outcome.FailedStatus ?? outcome.Response?.StatusCode);
        }
        statistics.Miss(request.Key);
        _metrics.Miss(request.Route);
        CacheHeaders.Miss(request.Response, CacheForward.Stale, outcome.Stored, outcome.Detail);
        return Respond(request, outcome.Response!);
    }

    /// <summary>Another request is asking the origin: its answer if it comes within the soft timeout and is not a 5xx, else the copy.</summary>
    private async Task<object?> FollowWithCopyAsync(CacheRequest request, CacheEntry copy, TaskCompletionSource<CacheEntry> leader)
    {
        CacheEntry answer;
        try
        {
            answer = await leader.Task.WaitAsync(_stale.OriginSoftTimeout, time);
        }
        catch (TimeoutException)
        {
            return Stale(request, copy, _stale.OriginSoftTimeout >= _stale.OriginHardTimeout ? StaleReason.OriginTimeout : StaleReason.SoftTimeout);
        }
        catch (Exception)
        {
            return Stale(request, copy, StaleReason.OriginError);
        }
        if (answer.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            return Stale(request, copy, StaleReason.OriginStatus, answer.StatusCode);
        }
        statistics.Miss(request.Key);
        _metrics.Miss(request.Route);
        _metrics.Collapsed(request.Route);
        CacheHeaders.Collapsed(request.Response, CacheForward.Stale);
        return Respond(request, answer);
    }

    /// <summary>What a refresh came to: its answer (if any), why the copy should answer instead (if so), and whether it was stored.</summary>
    private readonly record struct RefreshOutcome(CacheEntry? Response, StaleReason? Failure, bool Stored, CacheMissDetail Detail, int? FailedStatus = null);

    /// <summary>
    /// Starts a refresh that <paramref name="leader"/> leads, on a flow of its own (no <see cref="ExecutionContext"/>
    /// from the client's request); null, and the leader failed, in a host the layer's start-up filter did not see.
    /// Any fault of the refresh is observed, as no one may be waiting for it.
    /// </summary>
    private Task<RefreshOutcome>? StartRefresh(CacheRequest request, TaskCompletionSource<CacheEntry> leader, CacheGenerations? known)
    {
        if (DetachedRefresh.For(request.HttpContext, pipeline, _stale.OriginHardTimeout, time) is not { } refresh)
        {
            _misses.Fail(request.Key, leader, new InvalidOperationException("CacheLayer's start-up filter is not in the pipeline; register the layer with AddCacheLayer."));
            return null;
        }
        Task<RefreshOutcome> refreshed;
        using (ExecutionContext.SuppressFlow())
        {
            refreshed = Task.Run(() => RefreshAsync(request, refresh, known, leader));
        }
        _ = refreshed.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return refreshed;
    }

    /// <summary>
    /// Asks the origin apart from the client's request (<see cref="DetachedRefresh"/>), shares the answer with
    /// the requests waiting on it, and stores it if it is a 200 that may be shared, under the generations read
    /// before the origin was asked (<paramref name="known"/>, or read first).
    /// </summary>
    private async Task<RefreshOutcome> RefreshAsync(
        CacheRequest request, DetachedRefresh refresh, CacheGenerations? known, TaskCompletionSource<CacheEntry> leader)
    {
        await using (refresh)
        {
            if ((known ?? await ReadGenerationsAsync(request)) is not { } generations)
            {
                _misses.Fail(request.Key, leader, new InvalidOperationException("The store did not answer."));
                return new RefreshOutcome(null, StaleReason.OriginError, false, CacheMissDetail.StoreUnavailable);
            }
            try
            {
                await refresh.RunAsync();
            }
            catch (Exception exception)
            {
                var reason = refresh.TimedOut ? StaleReason.OriginTimeout : StaleReason.OriginError;
                _misses.Fail(request.Key, leader, exception);
                backoff.Failed(request.Key, reason, null);
                return new RefreshOutcome(null, reason, false, CacheMissDetail.None);
            }
            if (refresh.Captured is not { } response)
            {
                // The handler threw and the app's error handling answered (the demo: 503), or it never ran.
                var status = refresh.Response.StatusCode;
                var reason = refresh.TimedOut ? StaleReason.OriginTimeout
                    : status >= StatusCodes.Status500InternalServerError ? StaleReason.OriginStatus : StaleReason.OriginError;
                _misses.Fail(request.Key, leader, new InvalidOperationException($"The refresh ended with {status} and no answer from the handler."));
                backoff.Failed(request.Key, reason, reason == StaleReason.OriginStatus ? status : null);
                return new RefreshOutcome(null, reason, false, CacheMissDetail.None, reason == StaleReason.OriginStatus ? status : null);
            }
            if (response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                _misses.Complete(request.Key, leader, response);
                backoff.Failed(request.Key, StaleReason.OriginStatus, response.StatusCode);
                return new RefreshOutcome(response, StaleReason.OriginStatus, false, CacheMissDetail.None);
            }
            backoff.Succeeded(request.Key);
            if (PrivacyOf(refresh.Response, response) is { } unshareable)
            {
                _misses.Fail(request.Key, leader, new InvalidOperationException("The refreshed response is not shareable."));
                return new RefreshOutcome(response, null, false, unshareable);
            }
            _misses.Complete(request.Key, leader, response);
            try
            {
                var (stored, detail) = await StoreAsync(request, response, generations);
                return new RefreshOutcome(response, null, stored, detail == CacheMissDetail.VariantLimit ? CacheMissDetail.None : detail);
            }
            catch (Exception)
            {
                return new RefreshOutcome(response, null, false, CacheMissDetail.StoreUnavailable);
            }
        }
    }

    /// <summary>
    /// Eager refresh (FusionCache's): a hit past <see cref="CacheLayerOptions.EagerRefreshThreshold"/> of its
    /// entry's TTL starts a refresh in the background, once per key at a time and once per entry read, so an
    /// entry read steadily is replaced before it expires. The generations are read first, in the background
    /// too, and the memory tier's epoch now: a write after either stops the refreshed answer from being kept.
    /// </summary>
    private void RefreshEarly(CacheRequest request, CacheEntry entry)
    {
        // By reference: a memory-tier copy is one object for many hits.
        if (_refreshedEarly.TryAdd(entry, entry) && _misses.TryLead(request.Key, out var leader))
        {
            _ = StartRefresh(request with { Epoch = tier.Epoch }, leader, known: null);
        }
    }

    private async Task<CacheGenerations?> ReadGenerationsAsync(CacheRequest request)
    {
        var read = await store.RunAsync(request.Route, "generations", s => s.GetGenerationsAsync(request.Key.Path, policy.Tags));
        return read.Succeeded ? read.Value : null;
    }

    /// <summary>In a <see cref="DetachedRefresh"/>: the handler's answer, captured for the refresh; nothing is written.</summary>
    private async ValueTask<object?> CaptureForRefreshAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, DetachedRefresh refresh)
    {
        refresh.Captured = await ResponseCapture.ExecuteAsync(
            invocation.HttpContext, await next(invocation), time.GetUtcNow(), policy.TimeToLive, int.MaxValue, static _ => { });
        return Results.Empty;
    }

    private BodyResult Stale(in CacheRequest request, CacheEntry copy, StaleReason reason, int? originStatus = null, bool forwarded = true)
    {
        statistics.Hit(request.Key);
        _metrics.Stale(request.Route, reason);
        CacheHeaders.Stale(request.Response, copy, time.GetUtcNow(), reason, originStatus, forwarded);
        return Respond(request, copy);
    }
}
