namespace CacheLayer.Api.Caching;

/// <summary>Where a hit came from.</summary>
public enum CacheTier
{
    Memory,
    Redis,
}
