using System.Globalization;
using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// Writes what the origin-directed cache answers with: a stored response (its header fields as stored, an
/// <c>Age</c> counted from when the origin produced it, its body; headers only for HEAD; <c>304</c> when the
/// client's conditions hold), a held origin answer, and the cache's own <c>Cache-Status</c> and <c>X-Cache</c>.
/// </summary>
internal static class StoredResponseWriter
{
    public static Task WriteStoredAsync(HttpContext context, CacheEntry entry, StoredHttpResponse stored, ClientConditions conditions, DateTimeOffset now, string xCache, string cacheStatus)
    {
        var response = context.Response;
        response.Headers.Clear();
        foreach (var (name, values) in stored.Fields)
        {
            response.Headers[name] = values;
        }
        var age = now > entry.StoredAt ? (long)(now - entry.StoredAt).TotalSeconds : 0;
        response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, entry.StatusCode, entry.Body, conditions.NotModified(stored.ETag, stored.LastModified ?? stored.First(HeaderNames.Date)), xCache, cacheStatus, "hit");
    }

    /// <summary>A fresh stored 200 answers a single byte range with a <c>206</c> (or a <c>416</c> when it cannot).</summary>
    public static Task WritePartialAsync(HttpContext context, CacheEntry entry, StoredHttpResponse stored, ByteRange range, DateTimeOffset now, string cacheStatus)
    {
        var response = context.Response;
        response.Headers.Clear();
        foreach (var (name, values) in stored.Fields)
        {
            response.Headers[name] = values;
        }
        response.Headers.Age = (now > entry.StoredAt ? (long)(now - entry.StoredAt).TotalSeconds : 0).ToString(CultureInfo.InvariantCulture);
        Mark(response, "HIT", cacheStatus, "hit");
        var length = entry.Body.Length;
        if (range.Within(length) is not { } part)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            response.ContentLength = 0;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentRange = $"bytes {part.Offset}-{part.Offset + part.Count - 1}/{length}";
        response.ContentLength = part.Count;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }
        var write = response.BodyWriter.WriteAsync(entry.Body.Slice((int)part.Offset, (int)part.Count), context.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    /// <summary>The origin's own answer, held: its status and headers are on the response already.</summary>
    public static Task WriteHeldAsync(HttpContext context, byte[] body, ClientConditions conditions, string xCache, string cacheStatus)
    {
        var response = context.Response;
        var notModified = conditions.NotModified(response.Headers.ETag.Count > 0 ? response.Headers.ETag[0] : null,
            response.Headers.LastModified.Count > 0 ? response.Headers.LastModified[0] : response.Headers.Date.Count > 0 ? response.Headers.Date[0] : null);
        return WriteAsync(context, response.StatusCode, body, notModified, xCache, cacheStatus, "miss");
    }

    /// <summary>Sets the cache's headers on a response that goes on as the origin sends it.</summary>
    public static void Mark(HttpResponse response, string xCache, string cacheStatus, string trace)
    {
        response.Headers[CacheHeaders.XCache] = xCache;
        // RFC 9211: each cache adds its entry after those of the caches nearer the origin.
        var upstream = response.Headers[CacheHeaders.CacheStatus];
        response.Headers[CacheHeaders.CacheStatus] = upstream.Count == 0 ? cacheStatus : $"{upstream}, {cacheStatus}";
        CacheHeaders.Trace(response, trace, null);
    }

    private static Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> body, bool notModified, string xCache, string cacheStatus, string trace)
    {
        var response = context.Response;
        Mark(response, xCache, cacheStatus, trace);
        if (notModified && status == StatusCodes.Status200OK)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.Remove(HeaderNames.ContentLength);
            response.Headers.Remove(HeaderNames.ContentType);
            return Task.CompletedTask;
        }
        response.StatusCode = status;
        if (status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            response.Headers.Remove(HeaderNames.ContentLength);
            return Task.CompletedTask;
        }
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method) || body.Length == 0)
        {
            return Task.CompletedTask;
        }
        var write = response.BodyWriter.WriteAsync(body, context.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }
}

/// <summary>The cache's <c>Cache-Status</c> (RFC 9211) values for origin-directed answers.</summary>
internal static class OriginCacheStatus
{
    private const string Name = "CacheLayer";

    public static string Hit(CacheEntry entry, DateTimeOffset now, CacheTier tier)
    {
        var ttl = Seconds(entry.ExpiresAt - now);
        return tier == CacheTier.Memory ? $"{Name}; hit; ttl={ttl}; detail=memory" : $"{Name}; hit; ttl={ttl}";
    }

    public static string Stale(CacheEntry entry, DateTimeOffset now, string detail, int? originStatus = null) =>
        originStatus is { } status
            ? $"{Name}; hit; ttl={Seconds(entry.ExpiresAt - now)}; fwd=stale; fwd-status={status}; detail={detail}"
            : $"{Name}; hit; ttl={Seconds(entry.ExpiresAt - now)}; detail={detail}";

    public static string Revalidated(bool stored) => stored ? $"{Name}; fwd=stale; fwd-status=304; stored" : $"{Name}; fwd=stale; fwd-status=304";

    public static string Forwarded(string fwd, int status, bool stored, string? detail)
    {
        var value = $"{Name}; fwd={fwd}; fwd-status={status.ToString(CultureInfo.InvariantCulture)}";
        if (stored)
        {
            value += "; stored";
        }
        return detail is null ? value : value + "; detail=" + detail;
    }

    /// <summary>A miss answered by an identical request's origin call.</summary>
    public static string Collapsed() => $"{Name}; fwd=miss; collapsed";

    public static string Bypass(string detail) => $"{Name}; fwd=bypass; detail={detail}";

    public static string OnlyIfCached() => $"{Name}; detail=only-if-cached";

    private static string Seconds(TimeSpan span) => ((long)Math.Floor(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
