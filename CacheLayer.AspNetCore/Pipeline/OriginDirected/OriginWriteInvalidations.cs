using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// RFC 9111 §4.4: a 2xx or 3xx answer to an unsafe method (anything but GET, HEAD, OPTIONS and TRACE) invalidates
/// its target URI and the same-origin URIs in its <c>Location</c> and <c>Content-Location</c>, in Redis, in this
/// process's memory tier and, through the invalidation log, on every replica. It happens as the response starts,
/// so the client that sees the answer can no longer read what it replaced.
/// </summary>
internal sealed class OriginWriteInvalidations(CacheInvalidator invalidator)
{
    public static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    public Task RunAsync(HttpContext context, string route, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var (owner, context, route) = ((OriginWriteInvalidations, HttpContext, string))state;
            return owner.InvalidateAsync(context, route);
        }, (this, context, route));
        return next(context);
    }

    private async Task InvalidateAsync(HttpContext context, string route)
    {
        var status = context.Response.StatusCode;
        if (status is < 200 or >= 400)
        {
            return;
        }
        var request = context.Request;
        var targets = new HashSet<string>(StringComparer.Ordinal) { request.PathBase.Value + request.Path.Value };
        var self = new Uri($"{request.Scheme}://{request.Host.Value}{request.PathBase.Value}{request.Path.Value}");
        foreach (var header in new[] { HeaderNames.Location, HeaderNames.ContentLocation })
        {
            foreach (var value in context.Response.Headers[header])
            {
                if (Uri.TryCreate(self, value, out var target) && Uri.Compare(target, self, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    targets.Add(PathString.FromUriComponent(target.AbsolutePath).Value ?? "/");
                }
            }
        }
        foreach (var target in targets)
        {
            await invalidator.InvalidateAsync(route, CacheInvalidation.Path("GET:" + target));
        }
    }
}
