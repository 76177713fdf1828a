using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Caches a GET endpoint's 200 responses for <c>ttl</c>. A hit is one store read; a miss runs the
/// handler, sends its bytes and stores them; <c>?nocache=true</c> neither reads nor writes.
/// A store that fails or is slow only ever turns a hit into a miss.
/// </summary>
public sealed class ResponseCacheFilter(
    TimeSpan ttl,
    Func<EndpointFilterInvocationContext, Func<string, object?>> argumentLookup,
    CacheStoreGuard store,
    CacheStatistics statistics,
    CacheMetrics metrics,
    TimeProvider time) : IEndpointFilter
{
    private CacheKeyTemplate? _template;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return await next(invocation);
        }

        var route = EndpointRoute.TemplateOf(context);
        if (CacheKeyQuery.IsBypass(context.Request.Query))
        {
            metrics.Bypass(route);
            CacheHeaders.Bypass(context.Response);
            return await next(invocation);
        }

        var key = new CacheKey(TemplateFor(context).FillPath(argumentLookup(invocation)), CacheKeyQuery.From(context.Request.Query));
        var lookup = await store.RunAsync(route, "get", s => s.GetAsync(key));
        if (lookup.Value is { } entry)
        {
            statistics.Hit(key);
            metrics.Hit(route);
            CacheHeaders.Hit(context.Response, entry, time.GetUtcNow());
            return BodyResult.From(entry);
        }

        statistics.Miss(key);
        metrics.Miss(route);
        var response = await ResponseCapture.ExecuteAsync(context, await next(invocation));
        var stored = false;
        // After a failed read the store is likely down: don't make the request wait for a second timeout.
        if (lookup.Succeeded && response.StatusCode == StatusCodes.Status200OK)
        {
            var now = time.GetUtcNow();
            var fresh = new CacheEntry(response.StatusCode, response.ContentType, response.Body, now, now + ttl);
            stored = (await store.RunAsync(route, "set", s => s.SetAsync(key, fresh))).Succeeded;
        }
        CacheHeaders.Miss(context.Response, stored, storeFailed: !lookup.Succeeded);
        return BodyResult.From(response);
    }

    private CacheKeyTemplate TemplateFor(HttpContext context) =>
        _template ??= context.GetEndpoint() is RouteEndpoint endpoint
            ? CacheKeyTemplate.FromRoute(HttpMethods.Get, endpoint.RoutePattern)
            : throw new InvalidOperationException("Response caching needs a routed endpoint.");
}
