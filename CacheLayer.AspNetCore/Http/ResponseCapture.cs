using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// Runs the rest of the pipeline (the origin) with its body going to memory, so its exact bytes can be both
/// stored and sent; a body that grows past the limit is sent on to the client as it is written instead, and
/// not kept. Status and headers land on the response as the endpoint sets them.
/// </summary>
internal sealed class ResponseCapture : IDisposable
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _original;
    private readonly LimitedBuffer _buffer;
    private readonly StreamResponseBodyFeature _capture;

    private ResponseCapture(HttpContext context, int maxBodyBytes, Action<HttpResponse> onOverflow)
    {
        _context = context;
        _original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        _buffer = new LimitedBuffer(maxBodyBytes, _original, () => onOverflow(context.Response));
        _capture = new StreamResponseBodyFeature(_buffer, _original);
        context.Features.Set<IHttpResponseBodyFeature>(_capture);
    }

    /// <summary>The body outgrew the limit and went to the client.</summary>
    public bool Overflowed => _buffer.Overflowed;

    /// <summary>
    /// Captures what <paramref name="next"/> writes; null when its body outgrew <paramref name="maxBodyBytes"/> and
    /// was streamed to the client (<paramref name="onOverflow"/> runs first, while headers can still change).
    /// </summary>
    public static async Task<CacheEntry?> RunAsync(
        HttpContext context, RequestDelegate next, TimeProvider time, TimeSpan timeToLive, int maxBodyBytes, Action<HttpResponse> onOverflow)
    {
        using var capture = Start(context, maxBodyBytes, onOverflow);
        await next(context);
        return await capture.EndAsync(time.GetUtcNow(), timeToLive);
    }

    /// <summary>From now on, the body goes to memory until <see cref="EndAsync"/> or <see cref="Dispose"/>.</summary>
    public static ResponseCapture Start(HttpContext context, int maxBodyBytes, Action<HttpResponse> onOverflow) => new(context, maxBodyBytes, onOverflow);

    /// <summary>Gives the response its own body back (e.g. to answer a 504 while the origin still runs).</summary>
    public void Release() => _context.Features.Set(_original);

    /// <summary>The captured response as an entry produced at <paramref name="now"/>; null when it overflowed.</summary>
    public async Task<CacheEntry?> EndAsync(DateTimeOffset now, TimeSpan timeToLive)
    {
        await _capture.CompleteAsync();
        Release();
        if (_buffer.Overflowed)
        {
            return null;
        }
        var response = _context.Response;
        var body = _buffer.ToArray();
        return new CacheEntry(response.StatusCode, response.ContentType, EntityTag.For(response.ContentType, body), body, now, now + timeToLive)
        {
            CacheControl = response.Headers.CacheControl.Count == 0 ? null : response.Headers.CacheControl.ToString(),
        };
    }

    public void Dispose()
    {
        Release();
        _buffer.Dispose();
    }

    /// <summary>Keeps up to <c>limit</c> bytes; past that, sends what it kept and everything after to the client.</summary>
    private sealed class LimitedBuffer(int limit, IHttpResponseBodyFeature client, Action onOverflow) : WriteOnlyBodyStream
    {
        private MemoryStream? _kept = new();

        public bool Overflowed => _kept is null;

        public byte[] ToArray() => _kept?.ToArray() ?? [];

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_kept is { } kept && kept.Length + buffer.Length <= limit)
            {
                kept.Write(buffer.Span);
                return;
            }
            if (_kept is { } pending)
            {
                onOverflow();
                _kept = null;
                await client.Stream.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), cancellationToken);
                await pending.DisposeAsync();
            }
            await client.Stream.WriteAsync(buffer, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            Overflowed ? client.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

        protected override void Dispose(bool disposing)
        {
            _kept?.Dispose();
            base.Dispose(disposing);
        }
    }
}
