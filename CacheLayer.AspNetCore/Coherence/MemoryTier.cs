using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Hot entries kept in process memory in front of Redis, bounded by bytes, so a hit needs no network
/// round trip. An entry never outlives its Redis TTL. Coherence: every invalidation, local or
/// published by another process, removes what it covers; while invalidations from other processes
/// could be missed (the subscription is down, or the store is), the tier is empty and unused.
/// An epoch, advanced by every invalidation, stops a read that began before one from filling the
/// tier after it.
/// </summary>
internal sealed class MemoryTier : IDisposable
{
    // Per-entry bookkeeping (dictionary slot, entry object, key) counted against the byte budget.
    private const long EntryOverheadBytes = 256;

    private readonly MemoryCache? _cache;
    private long _epoch;
    private volatile bool _connected;

    public MemoryTier(IOptions<CacheLayerOptions> options, TimeProvider time)
    {
        var settings = options.Value.MemoryTier;
        if (settings.Enabled)
        {
            _cache = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = settings.SizeLimitBytes,
                CompactionPercentage = 0.25,
                Clock = new TimeProviderClock(time),
            });
        }
    }

    /// <summary>In use: enabled, and connected to the invalidations of the other processes.</summary>
    public bool IsActive => _cache is not null && _connected;

    public bool IsConnected => _connected;

    /// <summary>Read before a store lookup and handed back to <see cref="Set"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public long Count => _cache?.Count ?? 0;

    public bool TryGet(CacheKey key, out CacheEntry entry)
    {
        if (IsActive && _cache!.TryGetValue(key.Value, out TierEntry? found) && found is not null)
        {
            entry = found.Entry;
            return true;
        }
        entry = null!;
        return false;
    }

    /// <summary>Keeps a copy of an entry read or written at <paramref name="epoch"/>, unless something was invalidated since.</summary>
    public void Set(CacheKey key, CacheEntry entry, IReadOnlyList<string> tags, long epoch)
    {
        if (!IsActive || Epoch != epoch)
        {
            return;
        }
        _cache!.Set(key.Value, new TierEntry(key, entry, tags), new MemoryCacheEntryOptions
        {
            AbsoluteExpiration = entry.ExpiresAt,
            Size = entry.Body.Length + (key.Value.Length + (entry.ContentType?.Length ?? 0) + entry.ETag.Length) * sizeof(char) + EntryOverheadBytes,
        });
        // An invalidation that ran between the check above and the set may have missed this entry.
        if (Epoch != epoch)
        {
            _cache!.Remove(key.Value);
        }
    }

    public void Invalidate(CacheInvalidation invalidation)
    {
        Interlocked.Increment(ref _epoch);
        if (_cache is null)
        {
            return;
        }
        if (invalidation.Kind == CacheInvalidationKind.All)
        {
            _cache.Clear();
            return;
        }
        foreach (var key in _cache.Keys)
        {
            if (_cache.TryGetValue(key, out TierEntry? entry) && entry is not null
                && (invalidation.Kind == CacheInvalidationKind.Tag ? entry.Tags.Contains(invalidation.Value) : invalidation.Covers(entry.Key)))
            {
                _cache.Remove(key);
            }
        }
    }

    /// <summary>
    /// Whether invalidations from other processes reach this one. Either way the tier empties: going
    /// down, it could miss messages; coming back, it may have missed some.
    /// </summary>
    public void SetConnected(bool connected)
    {
        if (!connected)
        {
            _connected = false;
            Invalidate(CacheInvalidation.All);
        }
        else
        {
            Invalidate(CacheInvalidation.All);
            _connected = true;
        }
    }

    public void Dispose() => _cache?.Dispose();

    private sealed record TierEntry(CacheKey Key, CacheEntry Entry, IReadOnlyList<string> Tags);

    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
