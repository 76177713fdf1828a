using CacheLayer.AspNetCore.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts the cache layer's middleware in the request pipeline.</summary>
public static class CacheLayerApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the endpoints marked <c>.CacheResponse</c> or <c>[CacheResponse]</c> from the cache and invalidates
    /// after the writes marked <c>.InvalidatesCache</c>, <c>[InvalidatesCache]</c> and their tag forms. Call it
    /// after routing and authentication (a <c>WebApplication</c> runs both first unless you call them yourself;
    /// if you do, call this after <c>UseAuthentication</c> and <c>UseAuthorization</c>) and before the middleware
    /// whose work the cached response holds, such as <c>UseExceptionHandler</c>, <c>UseStatusCodePages</c> and
    /// <c>UseRequestLocalization</c>: a refresh runs the pipeline from here on. A host with cached endpoints
    /// that does not call it fails at start-up.
    /// </summary>
    /// <param name="app">The application.</param>
    public static IApplicationBuilder UseCacheLayer(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var marker = app.ApplicationServices.GetService<CacheLayerPipelineMarker>()
            ?? throw new InvalidOperationException("UseCacheLayer needs the layer's services: call builder.AddCacheLayer(\"cache\") first.");
        marker.Used = true;
        return app.UseMiddleware<CacheLayerMiddleware>();
    }
}
