using CacheLayer.AspNetCore.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// The origin's answer to one forwarded request. When its status and headers arrive (its first body write, a
/// flush, or its end) <c>keep</c> decides: a response the cache may use is held in memory, up to the body
/// limit, to be stored and answered by the cache; any other goes to the client as it streams, untouched but
/// for the cache's headers, which <c>keep</c> sets as it decides.
/// </summary>
internal sealed class ForwardedResponse : IDisposable
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _original;
    private readonly DecidingBody _body;
    private readonly StreamResponseBodyFeature _feature;

    private ForwardedResponse(HttpContext context, int maxBodyBytes, Func<HttpResponse, bool> keep, Action<HttpResponse> onTooLarge, TimeProvider time)
    {
        _context = context;
        _original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        _body = new DecidingBody(maxBodyBytes, _original, () => onTooLarge(context.Response), () =>
        {
            ResponseTime = time.GetUtcNow();
            DecidedStatus = context.Response.StatusCode;
            return keep(context.Response);
        });
        _feature = new StreamResponseBodyFeature(_body, _original);
        context.Features.Set<IHttpResponseBodyFeature>(_feature);
    }

    /// <summary>When the origin's status and headers arrived.</summary>
    public DateTimeOffset ResponseTime { get; private set; }

    /// <summary>The status <c>keep</c> decided on.</summary>
    private int DecidedStatus { get; set; }

    /// <summary>The body held in memory; null when the response went to the client as it streamed.</summary>
    public byte[]? Body { get; private set; }

    /// <summary>
    /// Runs <paramref name="next"/> (the origin) and holds or streams its answer; a held answer that outgrows
    /// <paramref name="maxBodyBytes"/> goes on to the client after <paramref name="onTooLarge"/> marks it. A throw
    /// propagates; a response the client left during, whose body ended short of its <c>Content-Length</c>, or that was replaced after its body
    /// began (the proxy's own 502 when the origin's body broke off: YARP clears the response it has not sent), is not held.
    /// </summary>
    public static async Task<ForwardedResponse> RunAsync(
        HttpContext context, RequestDelegate next, int maxBodyBytes, Func<HttpResponse, bool> keep, Action<HttpResponse> onTooLarge, TimeProvider time)
    {
        var forwarded = new ForwardedResponse(context, maxBodyBytes, keep, onTooLarge, time);
        try
        {
            await next(context);
            await forwarded._feature.CompleteAsync();
        }
        finally
        {
            context.Features.Set(forwarded._original);
        }
        forwarded._body.Decide();
        var held = forwarded._body.Held;
        var length = context.Response.ContentLength;
        forwarded.Body = held is null || context.RequestAborted.IsCancellationRequested || context.Response.StatusCode != forwarded.DecidedStatus
            || (length is { } expected && expected != held.Length && !HttpMethods.IsHead(context.Request.Method)
                && context.Response.StatusCode is not (StatusCodes.Status304NotModified or StatusCodes.Status204NoContent))
            ? null
            : held;
        if (held is not null && forwarded.Body is null)
        {
            // A body cut short: the client's answer is broken off as the origin's was, and nothing is kept.
            context.Abort();
        }
        return forwarded;
    }

    /// <summary>Sends a held body on to the client as it was.</summary>
    public Task SendHeldAsync() => _body.ReleaseAsync();

    public void Dispose() => _body.Dispose();

    private sealed class DecidingBody(int limit, IHttpResponseBodyFeature client, Action tooLarge, Func<bool> keep) : WriteOnlyBodyStream
    {
        private MemoryStream? _held;
        private bool _decided;

        public byte[]? Held => _held?.ToArray();

        public void Decide()
        {
            if (!_decided)
            {
                _decided = true;
                _held = keep() ? new MemoryStream() : null;
            }
        }

        public async Task ReleaseAsync()
        {
            if (_held is { } held)
            {
                _held = null;
                await client.Stream.WriteAsync(held.GetBuffer().AsMemory(0, (int)held.Length));
                await held.DisposeAsync();
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Decide();
            if (_held is { } held)
            {
                if (held.Length + buffer.Length <= limit)
                {
                    held.Write(buffer.Span);
                    return;
                }
                // Too large to keep: what was held and the rest go to the client as they come.
                tooLarge();
                await ReleaseAsync();
            }
            await client.Stream.WriteAsync(buffer, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Decide();
            return _held is null ? client.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            _held?.Dispose();
            base.Dispose(disposing);
        }
    }
}
