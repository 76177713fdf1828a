using CacheLayer.AspNetCore.Diagnostics;

namespace OpenTelemetry.Metrics;

/// <summary>Exports the cache layer's instruments.</summary>
public static class CacheLayerMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds the <c>CacheLayer.Cache</c> meter: hits (by tier), misses, bypasses (by reason), collapsed
    /// misses, 304s, invalidations, store errors and call durations, all tagged by <c>http.route</c>,
    /// and the circuit's gauges.
    /// </summary>
    public static MeterProviderBuilder AddCacheLayerInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(CacheMetrics.MeterName);
    }
}
