using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Caches a GET endpoint's 200 responses for <c>ttl</c>. A hit is one store read; a miss runs the
/// handler (once per key at a time: identical misses wait for it), sends its bytes and stores them
/// unless a write invalidated the path meanwhile; <c>?nocache=true</c> neither reads nor writes.
/// A store that fails or is slow only ever turns a hit into a miss.
/// </summary>
public sealed class ResponseCacheFilter(
    TimeSpan ttl,
    Func<EndpointFilterInvocationContext, Func<string, object?>> argumentLookup,
    CacheStoreGuard store,
    InflightMisses inflight,
    CacheStatistics statistics,
    CacheMetrics metrics,
    IOptions<ResponseCachingOptions> options,
    TimeProvider time) : IEndpointFilter
{
    private readonly int _maxKeyLength = options.Value.MaxKeyLength;
    private readonly TimeSpan _collapseTimeout = options.Value.CollapseTimeout;
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
            return await BypassAsync(invocation, next, route, "requested");
        }

        var key = new CacheKey(TemplateFor(context).FillPath(argumentLookup(invocation)), CacheKeyQuery.From(context.Request.Query));
        if (key.Value.Length > _maxKeyLength)
        {
            return await BypassAsync(invocation, next, route, "key-too-long");
        }

        var lookup = await store.RunAsync(route, "get", s => s.GetAsync(key));
        if (lookup.Value.Entry is { } entry)
        {
            statistics.Hit(key);
            metrics.Hit(route);
            CacheHeaders.Hit(context.Response, entry, time.GetUtcNow());
            return BodyResult.From(entry);
        }

        statistics.Miss(key);
        metrics.Miss(route);
        if (!inflight.TryLead(key, out var leader))
        {
            if (await FollowAsync(leader) is { } collapsed)
            {
                metrics.Collapsed(route);
                CacheHeaders.Collapsed(context.Response);
                return BodyResult.From(collapsed);
            }
            // The leader failed or is too slow: ask the origin ourselves, and leave storing to the leader.
            var own = await ResponseCapture.ExecuteAsync(context, await next(invocation));
            CacheHeaders.Miss(context.Response, stored: false, storeFailed: !lookup.Succeeded);
            return BodyResult.From(own);
        }

        CapturedResponse response;
        try
        {
            response = await ResponseCapture.ExecuteAsync(context, await next(invocation));
        }
        catch (Exception exception)
        {
            inflight.Fail(key, leader, exception);
            throw;
        }
        inflight.Complete(key, leader, response);

        var stored = false;
        // After a failed read the store is likely down: don't make the request wait for a second timeout.
        if (lookup.Succeeded && response.StatusCode == StatusCodes.Status200OK)
        {
            var now = time.GetUtcNow();
            var fresh = new CacheEntry(response.StatusCode, response.ContentType, response.Body, now, now + ttl);
            var set = await store.RunAsync(route, "set", s => s.SetAsync(key, fresh, lookup.Value.Generation));
            stored = set.Succeeded && set.Value;
        }
        CacheHeaders.Miss(context.Response, stored, storeFailed: !lookup.Succeeded);
        return BodyResult.From(response);
    }

    private async Task<CapturedResponse?> FollowAsync(TaskCompletionSource<CapturedResponse> leader)
    {
        try
        {
            return await leader.Task.WaitAsync(_collapseTimeout, time);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private async ValueTask<object?> BypassAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, string route, string reason)
    {
        metrics.Bypass(route, reason);
        CacheHeaders.Bypass(invocation.HttpContext.Response, reason);
        return await next(invocation);
    }

    private CacheKeyTemplate TemplateFor(HttpContext context) =>
        _template ??= context.GetEndpoint() is RouteEndpoint endpoint
            ? CacheKeyTemplate.FromRoute(HttpMethods.Get, endpoint.RoutePattern)
            : throw new InvalidOperationException("Response caching needs a routed endpoint.");
}
