using System.ComponentModel.DataAnnotations;

namespace CacheLayer.Api.Origin;

/// <summary>The demo data store, bound from <c>Demo:Origin</c>.</summary>
public sealed class OriginOptions
{
    public const string SectionName = "Demo:Origin";

    /// <summary>Simulated latency of every store call, so the effect of caching shows in traces.</summary>
    [Range(0, 60_000)]
    public int LatencyMs { get; set; }
}
