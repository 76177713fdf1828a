using CacheLayer.AspNetCore.Diagnostics;

namespace OpenTelemetry.Trace;

/// <summary>Exports the cache layer's spans.</summary>
public static class CacheLayerTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds the <c>CacheLayer.Cache</c> activity source: a client span per cache store call
    /// (<c>cachelayer get</c>, <c>cachelayer set</c>, …, tagged <c>db.system.name</c> = <c>redis</c>,
    /// <c>cachelayer.operation</c> and <c>http.route</c>), a child of the request that made it. Store calls
    /// made outside a recorded request (the layer's background work) have no span.
    /// </summary>
    public static TracerProviderBuilder AddCacheLayerInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(CacheTracing.SourceName);
    }
}
