using CacheLayer.AspNetCore;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares, per endpoint, what is cached and what a write invalidates.</summary>
public static class CacheLayerEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Caches this GET endpoint's 200 responses for <paramref name="ttl"/> (at most a day), and answers HEAD from them.
    /// </summary>
    /// <remarks>
    /// With <c>AddOpenApi()</c>, the endpoint's operation shows its TTL, the cache headers on its 200 and a 304, and the <c>nocache</c> switch.
    /// </remarks>
    /// <param name="builder">The endpoint.</param>
    /// <param name="ttl">How long a stored response is served.</param>
    /// <param name="tags">Names writes and admins can invalidate these entries by.</param>
    /// <param name="varyByHeaders">
    /// Request headers whose normalized values get their own entries: <c>"Accept-Language"</c> (keyed by the
    /// supported culture it resolves to), any other name (keyed by its trimmed, lower-cased value), or
    /// <see cref="CacheVaryByHeader.Header(string, Func{string, string?})"/> with your own normalizer.
    /// </param>
    /// <param name="varyByUser">Each authenticated user gets their own entries; needed to cache requests with credentials.</param>
    /// <param name="varyByQuery">
    /// Query parameters that split the key besides those the handler binds (which always do); <c>"*"</c>
    /// for all. Any other parameter is ignored by the key. Required when the handler takes
    /// <c>HttpContext</c> or <c>HttpRequest</c>, whose query reads cannot be known.
    /// </param>
    /// <param name="grace">
    /// How long a copy stays after <paramref name="ttl"/> to answer when the origin fails or is slow (zero:
    /// none); default <c>CacheLayer:Grace</c>.
    /// </param>
    /// <param name="staleWhileRevalidate">
    /// For this long after expiry, answer from the copy at once and refresh in the background; default
    /// <c>CacheLayer:StaleWhileRevalidate</c>.
    /// </param>
    /// <param name="originSoftTimeout">
    /// With a copy, how long to wait for the origin before answering with it; default <c>CacheLayer:OriginSoftTimeout</c>.
    /// </param>
    /// <param name="originHardTimeout">
    /// The longest a miss waits for the origin (then the copy, or a 504); default <c>CacheLayer:OriginHardTimeout</c>.
    /// </param>
    public static TBuilder CacheResponse<TBuilder>(
        this TBuilder builder, TimeSpan ttl, string[]? tags = null, CacheVaryByHeader[]? varyByHeaders = null, bool varyByUser = false,
        string[]? varyByQuery = null, TimeSpan? grace = null, TimeSpan? staleWhileRevalidate = null,
        TimeSpan? originSoftTimeout = null, TimeSpan? originHardTimeout = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttl, CachePolicy.MaxTimeToLive);
        InRange(grace, TimeSpan.Zero, CachePolicy.MaxGrace);
        InRange(staleWhileRevalidate, TimeSpan.Zero, CachePolicy.MaxGrace);
        InRange(originSoftTimeout, TimeSpan.Zero, CachePolicy.MaxOriginTimeout);
        if (originHardTimeout != Timeout.InfiniteTimeSpan)
        {
            InRange(originHardTimeout, TimeSpan.FromMilliseconds(1), CachePolicy.MaxOriginTimeout);
        }
        return builder.CacheResponse(policy =>
        {
            policy.Ttl(ttl).Tags(tags ?? []).VaryByHeaders(varyByHeaders ?? []).VaryByUser(varyByUser)
                .Stale(grace, staleWhileRevalidate, originSoftTimeout, originHardTimeout);
            if (varyByQuery is not null)
            {
                policy.VaryByQuery(varyByQuery);
            }
        });
    }

    /// <summary>Caches this GET endpoint's 200 responses as <paramref name="configure"/> says, and answers HEAD from them.</summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="configure">Sets the TTL (required), tags, variants and stale settings.</param>
    public static TBuilder CacheResponse<TBuilder>(this TBuilder builder, Action<CacheResponsePolicyBuilder> configure)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(configure);
        var policyBuilder = new CacheResponsePolicyBuilder();
        configure(policyBuilder);
        var policy = policyBuilder.Build("CacheResponse");
        builder.AddOpenApiOperationTransformer(CacheOpenApi.Cached(_ => policy));
        return builder.AddCacheMetadata(policy);
    }

    /// <summary>
    /// Caches this GET endpoint's 200 responses as the named policy of <c>CacheLayer:Policies</c> says, and
    /// answers HEAD from them. An unknown name stops the app at start-up.
    /// </summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="policyName">The policy's name, e.g. <c>"users"</c>.</param>
    public static TBuilder CacheResponse<TBuilder>(this TBuilder builder, string policyName)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrEmpty(policyName);
        var named = new NamedCachePolicy(policyName);
        builder.AddOpenApiOperationTransformer(CacheOpenApi.Cached(services =>
            named.Resolve(services.GetRequiredService<IOptions<CacheLayerOptions>>().Value, policyName)));
        return builder.AddCacheMetadata(named);
    }

    private static TBuilder AddCacheMetadata<TBuilder>(this TBuilder builder, ICachePolicySource policy)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(policy);
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head]));
            }
        });
        return builder;
    }

    private static void InRange(TimeSpan? value, TimeSpan min, TimeSpan max,
        [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(given, min, name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(given, max, name);
        }
    }

    /// <summary>
    /// On success (2xx), invalidates each key template, e.g. <c>"GET:/api/users/{id}"</c>, with its
    /// parameters taken from this endpoint's arguments or route values, and all its variants. The endpoint's
    /// OpenAPI description names them.
    /// </summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="keyTemplates">Templates of the paths the endpoint changes.</param>
    public static TBuilder InvalidatesCache<TBuilder>(this TBuilder builder, params string[] keyTemplates) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(keyTemplates.Length);
        foreach (var template in keyTemplates)
        {
            _ = CacheKeyTemplate.Parse(template); // a malformed template fails here, where it is written
        }
        var routeValues = keyTemplates.Any(template => template.Contains('{')) ? " (route values from this request)" : "";
        builder.AddOpenApiOperationTransformer(CacheOpenApi.Invalidates($"every cached variant of {Listed(keyTemplates)}{routeValues}"));
        return builder.WithMetadata(new InvalidatesCacheAttribute(keyTemplates));
    }

    /// <summary>On success (2xx), invalidates every entry carrying one of <paramref name="tags"/>; the endpoint's OpenAPI description names them.</summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="tags">Tags given to <c>CacheResponse</c> on the endpoints this one changes.</param>
    public static TBuilder InvalidatesCacheTags<TBuilder>(this TBuilder builder, params string[] tags) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfZero(tags.Length);
        builder.AddOpenApiOperationTransformer(CacheOpenApi.Invalidates($"every cached response tagged {Listed(tags)}"));
        return builder.WithMetadata(new InvalidatesCacheTagsAttribute(tags));
    }

    private static string Listed(string[] names) => string.Join(", ", names.Select(name => $"`{name}`"));
}
