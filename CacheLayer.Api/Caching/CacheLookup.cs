namespace CacheLayer.Api.Caching;

/// <summary>
/// What one read of the store found: the entry, if any, and the path's invalidation generation at
/// that moment. A miss stores its response only if the generation is still the same, so a response
/// read from the origin before a write is never stored after that write's invalidation.
/// </summary>
public readonly record struct CacheLookup(CacheEntry? Entry, long Generation);
