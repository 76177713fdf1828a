namespace CacheLayer.AspNetCore;

/// <summary>
/// Invalidates cached responses from code, as the <c>InvalidatesCache</c> conventions and the admin
/// routes do: in Redis, in this process's memory tier and in-flight work, and, over Redis pub/sub, in
/// the memory tiers of the other processes. When the store cannot be reached the invalidation is kept
/// and applied before the store is read again; the result then says it was deferred. Each call is
/// bounded by <see cref="CacheLayerOptions.OperationTimeout"/> and never throws for a store failure.
/// </summary>
public interface ICacheInvalidator
{
    /// <summary>Removes one path with all its variants, e.g. <c>GET:/api/users/1</c>.</summary>
    Task<CacheInvalidationResult> InvalidatePathAsync(string path);

    /// <summary>Removes exactly one cache key, e.g. <c>GET:/api/posts/|accept-language=fr</c>.</summary>
    Task<CacheInvalidationResult> InvalidateKeyAsync(string key);

    /// <summary>Removes every entry of an endpoint declared with this tag.</summary>
    Task<CacheInvalidationResult> InvalidateTagAsync(string tag);

    /// <summary>Removes every key that starts with <paramref name="prefix"/>, e.g. <c>GET:/api/users/</c>.</summary>
    Task<CacheInvalidationResult> InvalidatePrefixAsync(string prefix);
}

/// <summary>What an invalidation did.</summary>
/// <param name="Removed">Entries removed from the store; 0 when deferred.</param>
/// <param name="Deferred">The store did not answer: the invalidation is kept and applied before the store is read again.</param>
public readonly record struct CacheInvalidationResult(long Removed, bool Deferred);
