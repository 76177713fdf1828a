namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// What a store read found: the fresh entry, if any; and on a miss, the generations read in the same round
/// trip when they all exist, which the miss can use instead of reading them again before it asks the origin.
/// </summary>
internal readonly record struct CacheLookup(CacheEntry? Entry, CacheGenerations? Generations = null);
