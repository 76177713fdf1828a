using System.ComponentModel.DataAnnotations;

namespace CacheLayer.Api.Caching;

/// <summary>The in-process copy of hot entries, bound from <c>CacheLayer:MemoryTier</c>.</summary>
public sealed class MemoryTierOptions
{
    public const string SectionName = "CacheLayer:MemoryTier";

    public bool Enabled { get; set; } = true;

    /// <summary>Bytes of entries (bodies, keys and a fixed overhead each) the tier holds at most.</summary>
    [Range(1024, 64L * 1024 * 1024 * 1024)]
    public long SizeLimitBytes { get; set; } = 64 * 1024 * 1024;
}
