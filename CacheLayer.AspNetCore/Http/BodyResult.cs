using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// Writes a response already produced (a hit, or a captured miss): status, content type and bytes;
/// headers only for HEAD; <c>304 Not Modified</c> with no body when the client's validator matches.
/// </summary>
internal sealed class BodyResult(CacheEntry response, bool notModified) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        if (notModified)
        {
            http.StatusCode = StatusCodes.Status304NotModified;
            http.ContentType = null;
            http.ContentLength = null;
            return;
        }

        http.StatusCode = response.StatusCode;
        http.ContentType = response.ContentType;
        http.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await http.BodyWriter.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
