using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// The origin's time limits and the grace copy (RFC 5861). Past an entry's TTL its copy stays for the grace
/// period, under the same generation tokens, so an invalidation retires both. A miss that finds the copy:
/// within the stale-while-revalidate window answers with it at once; later, waits for the origin up to the
/// soft timeout. Either way the origin call goes on after the answer, once per key, and refreshes the entry.
/// A throw, a 5xx or the hard timeout answers with the copy too. Without a copy, the hard timeout is a 504.
/// </summary>
internal sealed partial class ResponseCacheFilter
{
    /// <summary>What the origin did within the hard timeout; not <paramref name="Ended"/> when a 504 answered instead (or the client left).</summary>
    private readonly record struct OriginAnswer(CacheEntry? Response, bool Ended);

    /// <summary>
    /// The handler's answer captured on the request's context, within the hard timeout (null: it outgrew the
    /// body limit and went to the client); a throw propagates. At the timeout, answers 504 and waits for the
    /// handler to end before it returns, so the server keeps the context until then.
    /// </summary>
    private async Task<OriginAnswer> BoundedOriginAsync(CacheRequest request, EndpointFilterDelegate next, Action<HttpResponse> onTooLarge)
    {
        using var call = OriginCall.Start(request.Invocation, next, _stale.OriginHardTimeout, detached: false, time);
        await call.WaitAsync(Timeout.InfiniteTimeSpan, time);
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

    private async Task<object?> WithCopyAsync(CacheRequest request, EndpointFilterDelegate next, CacheEntry copy, CacheGenerations generations)
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

        var call = OriginCall.Start(request.Invocation, next, _stale.OriginHardTimeout, detached: true, time);
        if (!await call.WaitAsync(revalidate ? TimeSpan.Zero : _stale.OriginSoftTimeout, time))
        {
            var reason = revalidate ? StaleReason.WhileRevalidate : call.TimedOut ? StaleReason.OriginTimeout : StaleReason.SoftTimeout;
            try
            {
                await Stale(request, copy, reason).ExecuteAsync(request.HttpContext);
                await request.Response.CompleteAsync();
            }
            finally
            {
                // Even if the client has gone: the handler runs on its context, which must outlive it.
                await RefreshAsync(request, call, generations, leader);
            }
            return Results.Empty;
        }

        using (call)
        {
            if (!call.Handler.IsCompletedSuccessfully)
            {
                _misses.Fail(request.Key, leader, call.Handler.Exception?.InnerException ?? new TimeoutException("The origin call was cancelled."));
                var reason = call.TimedOut ? StaleReason.OriginTimeout : StaleReason.OriginError;
                backoff.Failed(request.Key, reason, null);
                return Stale(request, copy, reason);
            }
            var response = await CaptureApartAsync(request, call.Handler.Result);
            if (response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                _misses.Complete(request.Key, leader, response);
                backoff.Failed(request.Key, StaleReason.OriginStatus, response.StatusCode);
                return Stale(request, copy, StaleReason.OriginStatus, response.StatusCode);
            }
            backoff.Succeeded(request.Key);
            statistics.Miss(request.Key);
            _metrics.Miss(request.Route);
            var hook = request.HttpContext.Features.Get<ResponseStartHook>()
                ?? throw new InvalidOperationException("CacheLayer's start-up filter is not in the pipeline; register the layer with AddCacheLayer.");
            hook.Defer(new MissCompletion(this, request, response, new StoreCallResult<CacheGenerations>(true, generations), leader, CacheForward.Stale));
            return Respond(request, response);
        }
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

    /// <summary>
    /// After the copy answered: the origin's answer, when it comes, is shared with the requests waiting on it
    /// and stored (a 200 that may be shared, under the generations read before the origin was asked).
    /// </summary>
    private async Task RefreshAsync(CacheRequest request, OriginCall call, CacheGenerations generations, TaskCompletionSource<CacheEntry> leader)
    {
        using (call)
        {
            await call.Settled;
            if (!call.Handler.IsCompletedSuccessfully)
            {
                _misses.Fail(request.Key, leader, call.Handler.Exception?.InnerException ?? new TimeoutException("The origin call was cancelled."));
                backoff.Failed(request.Key, call.TimedOut ? StaleReason.OriginTimeout : StaleReason.OriginError, null);
                return;
            }
            CacheEntry response;
            try
            {
                response = await CaptureApartAsync(request, call.Handler.Result);
            }
            catch (Exception exception)
            {
                _misses.Fail(request.Key, leader, exception);
                return;
            }
            if (response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                backoff.Failed(request.Key, StaleReason.OriginStatus, response.StatusCode);
            }
            else
            {
                backoff.Succeeded(request.Key);
            }
            // The client's response is complete: its headers (a cookie middleware added) are final.
            if (response.StatusCode != StatusCodes.Status200OK || PrivacyOf(request.Response, response) is not null)
            {
                _misses.Fail(request.Key, leader, new InvalidOperationException("The refreshed response is not shareable."));
                return;
            }
            _misses.Complete(request.Key, leader, response);
            await StoreAsync(request, response, generations);
        }
    }

    /// <summary>
    /// The handler's result written into memory on a context of its own, so that neither a 5xx nor a late
    /// answer touches the client's response. Nothing is streamed, so the body limit is checked before storing.
    /// </summary>
    private async Task<CacheEntry> CaptureApartAsync(CacheRequest request, object? handlerResult)
    {
        var source = request.HttpContext.Request;
        var apart = new DefaultHttpContext { RequestServices = request.HttpContext.RequestServices };
        apart.Request.Method = source.Method;
        apart.Request.Scheme = source.Scheme;
        apart.Request.Host = source.Host;
        apart.Request.PathBase = source.PathBase;
        apart.Request.Path = source.Path;
        apart.Request.QueryString = source.QueryString;
        return (await ResponseCapture.ExecuteAsync(apart, handlerResult, time.GetUtcNow(), policy.TimeToLive, int.MaxValue, static _ => { }))!;
    }

    private BodyResult Stale(in CacheRequest request, CacheEntry copy, StaleReason reason, int? originStatus = null, bool forwarded = true)
    {
        statistics.Hit(request.Key);
        _metrics.Stale(request.Route, reason);
        CacheHeaders.Stale(request.Response, copy, time.GetUtcNow(), reason, originStatus, forwarded);
        return Respond(request, copy);
    }
}
