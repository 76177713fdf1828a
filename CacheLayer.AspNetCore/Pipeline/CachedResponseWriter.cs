using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// Writes a response the layer holds (a hit, a grace copy, or a captured origin answer) to the client: its
/// validator and freshness headers, then status, content type and bytes; headers only for HEAD; <c>304 Not
/// Modified</c> with no body when the client's <c>If-None-Match</c> matches.
/// </summary>
internal static class CachedResponseWriter
{
    public static Task WriteAsync(in CacheRequest request, CacheEntry entry, CacheMetrics metrics)
    {
        var context = request.HttpContext;
        var http = context.Response;
        CacheHeaders.Validators(http, entry, request.Policy, request.IsPrivate);
        if (entry.StatusCode == StatusCodes.Status200OK && EntityTag.IsMatchedBy(context.Request, entry.ETag))
        {
            metrics.NotModified(request.Route);
            http.StatusCode = StatusCodes.Status304NotModified;
            http.ContentType = null;
            http.ContentLength = null;
            return Task.CompletedTask;
        }

        http.StatusCode = entry.StatusCode;
        http.ContentType = entry.ContentType;
        http.ContentLength = entry.Body.Length;
        if (HttpMethods.IsHead(context.Request.Method) || entry.Body.Length == 0)
        {
            return Task.CompletedTask;
        }
        var write = http.BodyWriter.WriteAsync(entry.Body, context.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }
}
