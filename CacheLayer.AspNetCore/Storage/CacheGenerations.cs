namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The invalidation generations of a path and of its tags, in that order (0 where none was ever
/// advanced), read before the origin is asked. A miss stores its response only if they are all
/// unchanged, so a response read from the origin before a write is never stored after that write's
/// invalidation.
/// </summary>
internal sealed record CacheGenerations(IReadOnlyList<long> Values);
