using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;
using CacheLayer.AspNetCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Hot entries kept in process memory in front of Redis, bounded by bytes, so a hit needs no network
/// round trip. An entry lives no longer than its Redis TTL nor <see cref="CacheLayerMemoryTierOptions.MaxAge"/>.
/// Coherence: every invalidation, local or read from the log of the other replicas, removes what it
/// covers; while this replica is behind the log by more than <see cref="CacheLayerMemoryTierOptions.MaxLag"/>
/// (see <see cref="InvalidationSync"/>), the tier is unused. An epoch, advanced by every invalidation,
/// stops a read that began before one from filling the tier after it.
/// </summary>
internal sealed class MemoryTier : IDisposable
{
    // Per-entry bookkeeping (dictionary slot, entry object, key) counted against the byte budget.
    private const long EntryOverheadBytes = 256;

    private readonly MemoryCache? _cache;
    private readonly InvalidationSync _sync;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private long _epoch;

    public MemoryTier(IOptions<CacheLayerOptions> options, InvalidationSync sync, TimeProvider time, CacheMetrics metrics)
    {
        var settings = options.Value.MemoryTier;
        _sync = sync;
        _time = time;
        _maxAge = settings.MaxAge;
        if (settings.Enabled)
        {
            _cache = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = settings.SizeLimitBytes,
                CompactionPercentage = 0.25,
                Clock = new TimeProviderClock(time),
                // For the size gauge: the cache's own byte count. A hit then bumps a per-thread counter, no lock.
                TrackStatistics = true,
            });
            metrics.ObserveMemoryTier(() => Count, () => SizeBytes);
        }
    }

    /// <summary>In use: enabled, and current with the invalidations of the other replicas.</summary>
    public bool IsActive => _cache is not null && _sync.IsCurrent;

    /// <summary>Read before a store lookup and handed back to <see cref="Set"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public long Count => _cache?.Count ?? 0;

    /// <summary>The bytes the entries held count against the budget (body, key and overhead each).</summary>
    public long SizeBytes => _cache?.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

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
            AbsoluteExpiration = Min(entry.ExpiresAt, _time.GetUtcNow() + _maxAge),
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

    private static DateTimeOffset Min(DateTimeOffset first, DateTimeOffset second) => first < second ? first : second;

    public void Dispose() => _cache?.Dispose();

    private sealed record TierEntry(CacheKey Key, CacheEntry Entry, IReadOnlyList<string> Tags);

    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
