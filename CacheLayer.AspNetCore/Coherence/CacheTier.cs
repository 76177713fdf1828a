namespace CacheLayer.AspNetCore.Coherence;

/// <summary>Where a hit came from.</summary>
internal enum CacheTier
{
    Memory,
    Redis,
}
