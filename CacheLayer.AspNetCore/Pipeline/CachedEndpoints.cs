using System.Collections.Concurrent;
using System.Reflection;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>What the layer does for one endpoint: serve its GETs from the cache, invalidate after its writes, both or neither.</summary>
/// <param name="Read">How its GETs are served from the cache, when it declares a policy.</param>
/// <param name="Write">What its writes invalidate, when it declares any.</param>
/// <param name="OriginRoute">The <c>http.route</c> of an origin-directed endpoint (<c>.CacheFromOrigin()</c>), cached by its responses' own headers.</param>
internal sealed record EndpointCachePlan(CachedEndpoint? Read, EndpointInvalidations? Write, string? OriginRoute = null)
{
    public static readonly EndpointCachePlan None = new(null, null);
}

/// <summary>
/// Reads each endpoint's cache metadata once (conventions, attributes, named policies) into its
/// <see cref="EndpointCachePlan"/>, for minimal APIs, MVC actions and any other endpoint alike. Endpoints are
/// the app's, not the client's, so the table only holds what the app mapped.
/// </summary>
internal sealed class CachedEndpoints(IOptions<CacheLayerOptions> options)
{
    private readonly ConcurrentDictionary<Endpoint, EndpointCachePlan> _plans = new();

    public EndpointCachePlan For(Endpoint endpoint) =>
        _plans.TryGetValue(endpoint, out var plan) ? plan : _plans.GetOrAdd(endpoint, Build);

    private EndpointCachePlan Build(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        var policySource = metadata.GetOrderedMetadata<ICachePolicySource>().LastOrDefault();
        var invalidations = metadata.GetOrderedMetadata<ICacheInvalidationSource>();
        if (metadata.GetMetadata<OriginDirectedPolicy>() is not null)
        {
            return new EndpointCachePlan(null, null, (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName ?? "(origin)");
        }
        if (policySource is null && invalidations.Count == 0)
        {
            return EndpointCachePlan.None;
        }

        var name = endpoint.DisplayName ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(unnamed endpoint)";
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern;
        var action = metadata.GetMetadata<ControllerActionDescriptor>();
        var handler = action?.MethodInfo ?? metadata.GetMetadata<MethodInfo>();
        var boundProperties = action?.BoundProperties.OfType<ControllerBoundPropertyDescriptor>().Select(property => property.PropertyInfo) ?? [];
        var binding = handler is null
            ? null
            : QueryBinding.Of(handler, pattern?.Parameters.Select(parameter => parameter.Name) ?? [], controllerAction: action is not null, boundProperties);

        CachedEndpoint? read = null;
        if (policySource is not null)
        {
            var policy = policySource.Resolve(options.Value, name);
            if (pattern is null)
            {
                throw new InvalidOperationException($"The cached endpoint '{name}' has no route pattern; response caching needs a routed endpoint.");
            }
            if (binding?.ReadsRequest == true && policy.VaryByQuery is null)
            {
                throw new InvalidOperationException(
                    $"The cached endpoint '{pattern.RawText ?? name}' has a handler that takes HttpContext or HttpRequest " +
                    "(or binds a type with BindAsync), so the query parameters it reads cannot be known. Declare them with " +
                    ".CacheResponse(..., varyByQuery: [\"name\", ...]), or varyByQuery: [\"*\"] to key by every query parameter.");
            }
            if (policy.VaryByUser && string.IsNullOrEmpty(options.Value.UserKeySalt))
            {
                throw new InvalidOperationException(
                    $"The endpoint '{name}' caches per user (varyByUser) but {CacheLayerOptions.SectionName}:{nameof(CacheLayerOptions.UserKeySalt)} is not set: set it to a secret of 16 characters or more.");
            }
            read = new CachedEndpoint(endpoint, pattern, policy, binding ?? new QueryBinding([], false), options.Value);
        }

        var write = invalidations.Count == 0
            ? null
            : new EndpointInvalidations(name, pattern, binding,
                invalidations.SelectMany(source => source.KeyTemplates), invalidations.SelectMany(source => source.Tags));
        return new EndpointCachePlan(read, write);
    }
}
