using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// After a write succeeds (2xx), invalidates what it changed before the response is sent: a read
/// that starts after the write returns sees the new data.
/// </summary>
internal sealed class CacheInvalidationFilter(
    Func<Func<string, object?>, IEnumerable<CacheInvalidation>> invalidations,
    Func<EndpointFilterInvocationContext, string, object?> argumentLookup,
    CacheInvalidator invalidator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var result = await next(invocation);
        if (!Succeeded(result))
        {
            return result;
        }

        var route = EndpointRoute.TemplateOf(invocation.HttpContext);
        foreach (var invalidation in invalidations(name => argumentLookup(invocation, name)))
        {
            await invalidator.InvalidateAsync(route, invalidation);
        }
        return result;
    }

    private static bool Succeeded(object? result) => result switch
    {
        INestedHttpResult nested => Succeeded(nested.Result),
        IStatusCodeHttpResult { StatusCode: { } status } => status is >= 200 and < 300,
        IResult => false, // a result that does not tell its status: don't guess it succeeded
        _ => true, // a plain value is written as 200
    };
}
