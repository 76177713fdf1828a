using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Api.Caching;

public static class CachingEndpointConventionBuilderExtensions
{
    /// <summary>Caches this GET endpoint's 200 responses in the cache store for <paramref name="ttl"/>.</summary>
    public static TBuilder CacheResponse<TBuilder>(this TBuilder builder, TimeSpan ttl) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        builder.WithMetadata(new CacheResponseMetadata(ttl));
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ResponseCacheFilter>(
                context.ApplicationServices, ttl, EndpointRoute.ArgumentLookup(context.MethodInfo));
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }

    /// <summary>
    /// On success (2xx), invalidates each key template, e.g. <c>"GET:/api/users/{id}"</c>, with its
    /// parameters taken from this endpoint's arguments or route values, and all its query variants.
    /// </summary>
    public static TBuilder InvalidatesCache<TBuilder>(this TBuilder builder, params string[] keyTemplates) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(keyTemplates.Length);
        var templates = keyTemplates.Select(CacheKeyTemplate.Parse).ToArray();
        builder.WithMetadata(new InvalidatesCacheMetadata(keyTemplates));
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<CacheInvalidationFilter>(
                context.ApplicationServices, templates, EndpointRoute.ArgumentLookup(context.MethodInfo));
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }
}
