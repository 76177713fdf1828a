namespace CacheLayer.AspNetCore.Coherence;

/// <summary>Where a hit came from.</summary>
internal enum CacheTier
{
    Memory,
    Redis,
}

internal static class CacheTierNames
{
    /// <summary>As written in the <c>cachelayer.tier</c> metric tag and the request span's <c>cachelayer.cache.tier</c>.</summary>
    public static string Name(this CacheTier tier) => tier == CacheTier.Memory ? "memory" : "redis";
}
