namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>Set when the host puts the layer's middleware in its pipeline (<c>UseCacheLayer</c>), so a host that forgot it fails at start-up.</summary>
internal sealed class CacheLayerPipelineMarker
{
    public bool Used { get; set; }
}
