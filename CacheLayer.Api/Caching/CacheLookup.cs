namespace CacheLayer.Api.Caching;

/// <summary>
/// What one read of the store found: the entry, if any, and the invalidation generations of its path
/// and of each of its tags at that moment. A miss stores its response only if they are all unchanged,
/// so a response read from the origin before a write is never stored after that write's invalidation.
/// </summary>
public readonly record struct CacheLookup(CacheEntry? Entry, CacheGenerations Generations);

/// <summary>The generations of a path and of its tags, in that order; 0 where none was ever advanced.</summary>
public sealed record CacheGenerations(IReadOnlyList<long> Values)
{
    public static readonly CacheGenerations None = new([]);
}
