using CacheLayer.AspNetCore.Pipeline.OriginDirected;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// The layer's one middleware, after routing: it reads the selected endpoint's cache metadata and serves its
/// GETs and HEADs from the cache (<see cref="CachedResponses"/>) and, after its writes succeed, invalidates what
/// they change (<see cref="WriteInvalidations"/>), for minimal APIs, MVC actions and any other endpoint alike.
/// </summary>
internal sealed class CacheLayerMiddleware(
    RequestDelegate next, CachedEndpoints endpoints, CachedResponses responses, WriteInvalidations writes, OriginDirectedResponses origin, OriginWriteInvalidations originWrites)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint)
        {
            return next(context);
        }
        var plan = endpoints.For(endpoint);
        if (plan.OriginRoute is { } route)
        {
            var method = context.Request.Method;
            return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? origin.ServeAsync(context, route, next)
                : OriginWriteInvalidations.IsSafe(method) ? next(context)
                : originWrites.RunAsync(context, route, next);
        }
        if (plan.Write is { } write)
        {
            return writes.RunAsync(context, write, next);
        }
        if (plan.Read is { } read && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            return responses.ServeAsync(context, read, next);
        }
        return next(context);
    }
}
