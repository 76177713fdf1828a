namespace CacheLayer.AspNetCore;

/// <summary>The in-process copy of hot entries, bound from <c>CacheLayer:MemoryTier</c>.</summary>
public sealed class CacheLayerMemoryTierOptions
{
    /// <summary>Keep hot entries in process memory, kept coherent across processes over Redis pub/sub.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bytes of entries (bodies, keys and a fixed overhead each) the tier holds at most.</summary>
    public long SizeLimitBytes { get; set; } = 64 * 1024 * 1024;
}
