using CacheLayer.AspNetCore.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// Reads every endpoint's cache metadata as the host builds its pipeline (the endpoints are all known then),
/// so a cached endpoint declared wrongly (a handler that reads the request without <c>varyByQuery</c>, a
/// template parameter nothing fills, an unknown named policy) stops the app at start-up, naming the endpoint,
/// not at its first request; and so does a host with cached endpoints whose pipeline lacks
/// <c>app.UseCacheLayer()</c>, which would otherwise silently cache nothing.
/// </summary>
internal sealed class CacheEndpointsCheck(CachedEndpoints plans, CacheLayerPipelineMarker marker) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        if (app.ApplicationServices.GetService<EndpointDataSource>() is not { } source)
        {
            return;
        }
        var declared = source.Endpoints.Where(endpoint => plans.For(endpoint) != EndpointCachePlan.None).ToList();
        if (declared.Count > 0 && !marker.Used)
        {
            throw new InvalidOperationException(
                $"{declared.Count} endpoint(s) declare caching (e.g. '{declared[0].DisplayName}'), but the pipeline has no CacheLayer middleware: " +
                "call app.UseCacheLayer() after routing and authentication, before the middleware whose work the cached responses hold.");
        }
    };
}
