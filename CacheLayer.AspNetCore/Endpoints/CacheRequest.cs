using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// One cacheable request as the filter sees it, passed whole between its steps (a struct: a hit
/// allocates nothing for it).
/// </summary>
/// <param name="Invocation">The endpoint invocation: the handler's arguments and the HTTP context.</param>
/// <param name="Route">The route template, the <c>http.route</c> tag of every metric.</param>
/// <param name="Key">The cache key; default when the request bypasses before a key is built.</param>
/// <param name="IsPrivate">The request carries credentials (<c>Authorization</c> or a cookie).</param>
/// <param name="Epoch">The memory tier's epoch read before the store was: a copy read then may fill the tier only if nothing was invalidated since.</param>
internal readonly record struct CacheRequest(
    EndpointFilterInvocationContext Invocation, string Route, CacheKey Key, bool IsPrivate, long Epoch = 0)
{
    public HttpContext HttpContext => Invocation.HttpContext;

    public HttpResponse Response => Invocation.HttpContext.Response;
}
