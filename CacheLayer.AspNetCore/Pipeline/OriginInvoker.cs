using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>What the origin did within the hard timeout; not <paramref name="Ended"/> when a 504 answered instead (or the client left).</summary>
/// <param name="Response">The captured answer; null when it outgrew the body limit and went to the client, or it did not end.</param>
/// <param name="Ended">The origin answered in time.</param>
/// <param name="Settled">Completes when the origin has ended, whatever happened; await it before the request ends.</param>
internal readonly record struct OriginAnswer(CacheEntry? Response, bool Ended, Task Settled);

/// <summary>
/// Asks the origin (the rest of the pipeline) for a cacheable request and captures its answer. It always asks
/// for the full representation a GET gets: a HEAD runs as GET (so a HEAD never stores an empty body as the GET
/// entry), and the client's conditional and range headers are held back during the call (so the answer shared
/// with collapsed requests and stored is never a 304 or 206 made for this client; the layer answers the client's
/// <c>If-None-Match</c> itself).
/// </summary>
internal sealed class OriginInvoker(IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private static readonly string[] ClientOnlyHeaders =
    [
        HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.IfRange, HeaderNames.Range,
    ];

    private readonly int _maxBodyBytes = options.Value.MaxBodySizeBytes;

    /// <summary>The origin's answer, captured, with no time limit (a bypass).</summary>
    public async Task<CacheEntry?> CallAsync(CacheRequest request)
    {
        var context = request.HttpContext;
        using var _ = AsFullGet(context.Request);
        return await ResponseCapture.RunAsync(context, request.Next, time, request.Policy.TimeToLive, _maxBodyBytes, static _ => { });
    }

    /// <summary>
    /// The origin's answer within the hard timeout; a throw propagates. At the timeout, answers 504 (unless the
    /// response started) and returns at once: the caller lets identical requests go, then awaits
    /// <see cref="OriginAnswer.Settled"/>.
    /// </summary>
    public async Task<OriginAnswer> CallBoundedAsync(CacheRequest request, Action<HttpResponse> onTooLarge)
    {
        var context = request.HttpContext;
        var fullGet = AsFullGet(context.Request);
        var capture = ResponseCapture.Start(context, _maxBodyBytes, onTooLarge);
        var call = new OriginCall<bool>(context, async () =>
        {
            await request.Next(context);
            return true;
        }, request.Stale.OriginHardTimeout, time);
        await call.WaitAsync();
        // Past the deadline the origin's own answer no longer counts, even one it managed to give: a handler that
        // honours its token ends then, and error handling after this middleware may have answered it (499).
        if (call.Handler.IsCompletedSuccessfully && !call.TimedOut)
        {
            call.Dispose();
            fullGet.Dispose();
            using (capture)
            {
                return new OriginAnswer(await capture.EndAsync(time.GetUtcNow(), request.Policy.TimeToLive), Ended: true, Task.CompletedTask);
            }
        }
        if (call.Handler.IsCompleted && !call.TimedOut)
        {
            call.Dispose();
            fullGet.Dispose();
            capture.Dispose();
            await call.Handler; // rethrows the origin's exception
        }
        capture.Release();
        // The 504 is written with the client's own token: the origin's is cancelled.
        call.RestoreRequestAborted();
        if (call.TimedOut && !request.Response.HasStarted)
        {
            CacheHeaders.Miss(request.Response, CacheForward.Miss, stored: false, CacheMissDetail.OriginTimeout);
            request.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            await TypedResults.Problem(
                statusCode: StatusCodes.Status504GatewayTimeout,
                title: "The origin did not answer in time",
                detail: $"No answer within {request.Stale.OriginHardTimeout.TotalSeconds:0.###} s, and no copy of this response to answer with.")
                .ExecuteAsync(context);
            await request.Response.CompleteAsync();
        }
        return new OriginAnswer(null, Ended: false, CleanUpAsync(call, fullGet, capture));
    }

    private static async Task CleanUpAsync(OriginCall<bool> call, FullGet fullGet, ResponseCapture capture)
    {
        await call.Settled;
        call.Dispose();
        fullGet.Dispose();
        capture.Dispose();
    }

    /// <summary>Makes the request a plain GET for the origin's call; disposing gives it back what it was.</summary>
    private static FullGet AsFullGet(HttpRequest request)
    {
        List<(string, StringValues)>? held = null;
        foreach (var name in ClientOnlyHeaders)
        {
            if (request.Headers.TryGetValue(name, out var value))
            {
                (held ??= []).Add((name, value));
                request.Headers.Remove(name);
            }
        }
        var method = request.Method;
        if (HttpMethods.IsHead(method))
        {
            request.Method = HttpMethods.Get;
        }
        return new FullGet(request, method, held);
    }

    private sealed class FullGet(HttpRequest request, string method, List<(string Name, StringValues Value)>? held) : IDisposable
    {
        public void Dispose()
        {
            request.Method = method;
            foreach (var (name, value) in held ?? [])
            {
                request.Headers[name] = value;
            }
        }
    }
}
