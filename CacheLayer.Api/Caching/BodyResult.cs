using Microsoft.AspNetCore.Http;

namespace CacheLayer.Api.Caching;

/// <summary>Writes bytes already produced (a cache hit, or a captured miss) with the given status and content type.</summary>
public sealed class BodyResult(int statusCode, string? contentType, ReadOnlyMemory<byte> body) : IResult
{
    public static BodyResult From(CacheEntry entry) => new(entry.StatusCode, entry.ContentType, entry.Body);

    public static BodyResult From(CapturedResponse response) => new(response.StatusCode, response.ContentType, response.Body);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body, httpContext.RequestAborted);
    }
}
