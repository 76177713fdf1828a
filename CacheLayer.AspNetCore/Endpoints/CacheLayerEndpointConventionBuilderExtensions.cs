using CacheLayer.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares, per endpoint, what is cached and what a write invalidates.</summary>
public static class CacheLayerEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Caches this GET endpoint's 200 responses for <paramref name="ttl"/> (at most a day), and answers HEAD from them.
    /// </summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="ttl">How long a stored response is served.</param>
    /// <param name="tags">Names writes and admins can invalidate these entries by.</param>
    /// <param name="varyByHeaders">Request headers whose values get their own entries, e.g. <c>Accept-Language</c>.</param>
    /// <param name="varyByUser">Each authenticated user gets their own entries; needed to cache requests with credentials.</param>
    public static TBuilder CacheResponse<TBuilder>(
        this TBuilder builder, TimeSpan ttl, string[]? tags = null, string[]? varyByHeaders = null, bool varyByUser = false)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttl, CachePolicy.MaxTimeToLive);
        var policy = new CachePolicy(ttl, tags ?? [], varyByHeaders ?? [], varyByUser);

        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(policy);
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head]));
            }
        });
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ResponseCacheFilter>(
                context.ApplicationServices, policy, EndpointRoute.ArgumentLookup(context.MethodInfo));
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }

    /// <summary>
    /// On success (2xx), invalidates each key template, e.g. <c>"GET:/api/users/{id}"</c>, with its
    /// parameters taken from this endpoint's arguments or route values, and all its variants.
    /// </summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="keyTemplates">Templates of the paths the endpoint changes.</param>
    public static TBuilder InvalidatesCache<TBuilder>(this TBuilder builder, params string[] keyTemplates) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(keyTemplates.Length);
        var templates = keyTemplates.Select(CacheKeyTemplate.Parse).ToArray();
        return builder.AddInvalidationFilter(values => templates.Select(template => CacheInvalidation.Path(template.FillPath(values))));
    }

    /// <summary>On success (2xx), invalidates every entry carrying one of <paramref name="tags"/>.</summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="tags">Tags given to <c>CacheResponse</c> on the endpoints this one changes.</param>
    public static TBuilder InvalidatesCacheTags<TBuilder>(this TBuilder builder, params string[] tags) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(tags.Length);
        return builder.AddInvalidationFilter(_ => tags.Select(CacheInvalidation.Tag));
    }

    private static TBuilder AddInvalidationFilter<TBuilder>(
        this TBuilder builder, Func<Func<string, object?>, IEnumerable<CacheInvalidation>> invalidations) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<CacheInvalidationFilter>(
                context.ApplicationServices, invalidations, EndpointRoute.ArgumentLookup(context.MethodInfo));
            return invocation => filter.InvokeAsync(invocation, next);
        });
}
