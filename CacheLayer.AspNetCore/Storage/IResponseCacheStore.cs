using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Resilience;
namespace CacheLayer.AspNetCore.Storage;

/// <summary>Where cached responses live. Calls may fail or hang; <see cref="CacheStoreGuard"/> bounds them.</summary>
internal interface IResponseCacheStore
{
    /// <summary>
    /// Completes once the first attempt to connect has ended, whether or not it succeeded. Calls wait
    /// for it before their timeout starts: a store still connecting at start-up is not a failing one.
    /// </summary>
    Task Connected { get; }

    /// <summary>
    /// The entry at <paramref name="key"/>, if any, and only if neither its path nor one of its
    /// <paramref name="tags"/> was invalidated since it was stored: one round trip, the whole of a Redis hit.
    /// Without one, the generations it read along, when the tags' all exist, and the entry if it is past its TTL
    /// but within its grace (<see cref="CacheLookup.Stale"/>): a graced endpoint needs no second read. Creates nothing.
    /// </summary>
    Task<CacheLookup> GetAsync(CacheKey key, IReadOnlyList<string> tags);

    /// <summary>
    /// The grace copy of the entry at <paramref name="key"/>, on the same terms as <see cref="GetAsync"/>: only
    /// if neither its path nor a tag was invalidated since it was stored. Its expiry has passed, or is about to.
    /// </summary>
    Task<CacheLookup> GetStaleAsync(CacheKey key, IReadOnlyList<string> tags);

    /// <summary>
    /// The generations of the path and its <paramref name="tags"/>, read by a miss before it asks the origin. A path
    /// without one reads as "" and is not created (the store creates it); a missing tag's is created (tags are declared).
    /// </summary>
    Task<CacheGenerations> GetGenerationsAsync(string path, IReadOnlyList<string> tags);

    /// <summary>
    /// Stores the entry, findable by its <paramref name="tags"/>, unless its path or a tag was
    /// invalidated since <paramref name="generations"/> were read (<see cref="StoreOutcome.Invalidated"/>)
    /// or it is a new variant of a path that has <see cref="CacheLayerOptions.MaxVariantsPerPath"/> live
    /// entries already (<see cref="StoreOutcome.VariantLimit"/>). With a <paramref name="grace"/>, a copy stays
    /// that long past the entry's expiry (<see cref="GetStaleAsync"/>).
    /// </summary>
    Task<StoreOutcome> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags, TimeSpan grace = default);

    /// <summary>
    /// Advances the generations concerned and removes the entries and their grace copies, a bounded chunk per round trip (<see cref="CacheInvalidation.All"/>:
    /// every entry the layer stored); returns how many were removed. Telling the other API processes is
    /// the <see cref="InvalidationFeed"/>'s job.
    /// </summary>
    Task<long> InvalidateAsync(CacheInvalidation invalidation);

    /// <summary>Live cached entries (not the store's bookkeeping).</summary>
    Task<long> CountAsync();

    /// <summary>Drops bookkeeping of entries that have expired; returns how many.</summary>
    Task<long> TrimExpiredAsync();

    Task<TimeSpan> PingAsync();
}

/// <summary>What <see cref="IResponseCacheStore.SetAsync"/> did.</summary>
internal enum StoreOutcome
{
    Stored,
    /// <summary>Not stored: the path or a tag was invalidated after its generations were read.</summary>
    Invalidated,
    /// <summary>Not stored: a new variant of a path already at <see cref="CacheLayerOptions.MaxVariantsPerPath"/>.</summary>
    VariantLimit,
}
