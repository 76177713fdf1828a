using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// Runs a handler's result into memory, so its exact bytes can be both stored and sent; a body that
/// grows past the limit is sent on to the client as it is written instead, and not kept.
/// </summary>
internal static class ResponseCapture
{
    /// <summary>
    /// The response the handler's result writes, as an entry produced now and expiring after
    /// <paramref name="timeToLive"/>; null when its body outgrew <paramref name="maxBodyBytes"/> and was
    /// streamed to the client (<paramref name="onOverflow"/> runs first, while headers can still change).
    /// </summary>
    public static async Task<CacheEntry?> ExecuteAsync(
        HttpContext context, object? handlerResult, DateTimeOffset now, TimeSpan timeToLive, int maxBodyBytes, Action<HttpResponse> onOverflow)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new LimitedBuffer(maxBodyBytes, original, () => onOverflow(context.Response));
        var capture = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await AsResult(context, handlerResult).ExecuteAsync(context);
            await capture.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }
        if (buffer.Overflowed)
        {
            return null;
        }
        var response = context.Response;
        var body = buffer.ToArray();
        return new CacheEntry(response.StatusCode, response.ContentType, EntityTag.For(response.ContentType, body), body, now, now + timeToLive)
        {
            CacheControl = response.Headers.CacheControl.Count == 0 ? null : response.Headers.CacheControl.ToString(),
        };
    }

    // What the framework would have done with a handler's plain return value. JSON goes through the
    // host's serializer options (their resolvers), so a trimmed or Native AOT host needs no reflection.
    private static IResult AsResult(HttpContext context, object? value) => value switch
    {
        IResult result => result,
        null => Results.Empty,
        string text => Results.Text(text),
        _ => Results.Json(value, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(value.GetType())),
    };

    /// <summary>Keeps up to <c>limit</c> bytes; past that, sends what it kept and everything after to the client.</summary>
    private sealed class LimitedBuffer(int limit, IHttpResponseBodyFeature client, Action onOverflow) : Stream
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

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            Overflowed ? client.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            _kept?.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
