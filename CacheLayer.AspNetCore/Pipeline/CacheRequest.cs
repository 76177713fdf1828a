using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// One cacheable request as the pipeline's steps see it, passed whole between them (a struct: a hit allocates
/// nothing for it).
/// </summary>
/// <param name="HttpContext">The request.</param>
/// <param name="Endpoint">The cached endpoint it was routed to.</param>
/// <param name="Next">The rest of the app's pipeline after the layer's middleware: the origin.</param>
/// <param name="Key">The cache key; default when the request bypasses before a key is built.</param>
/// <param name="IsPrivate">The request carries credentials (<c>Authorization</c>, a cookie or a configured header or query parameter).</param>
/// <param name="Epoch">The memory tier's epoch read before the store was: a copy read then may fill the tier only if nothing was invalidated since.</param>
internal readonly record struct CacheRequest(
    HttpContext HttpContext, CachedEndpoint Endpoint, RequestDelegate Next, CacheKey Key, bool IsPrivate, long Epoch = 0)
{
    public HttpResponse Response => HttpContext.Response;

    public string Route => Endpoint.Route;

    public CachePolicy Policy => Endpoint.Policy;

    public StaleRules Stale => Endpoint.Stale;
}
