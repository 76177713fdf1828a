namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// What a store read found: the fresh entry, if any; and on a miss, the generations read in the same round
/// trip when they all exist (a path without a token yet reads as ""), which the miss can use instead of reading them
/// again before it asks the origin, and <see cref="Stale"/>: the entry past its TTL but within its grace, still
/// current (neither its path nor a tag invalidated since), for an origin that fails or is slow.
/// </summary>
internal readonly record struct CacheLookup(CacheEntry? Entry, CacheGenerations? Generations = null, CacheEntry? Stale = null);
