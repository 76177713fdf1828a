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
/// stops a read that began before one from filling the tier after it. An invalidation finds what it covers through
/// <see cref="MemoryTierIndex"/>, so it costs the entries it covers, not the size of the tier.
/// </summary>
internal sealed class MemoryTier : IDisposable
{
    // Per-entry bookkeeping (dictionary slot, entry object, key) counted against the byte budget.
    private const long EntryOverheadBytes = 256;
    // What an entry adds to the index (its key's registration and path membership), and each of its tags: counted too,
    // so the index is bounded by the same budget.
    private const long IndexOverheadBytes = 128;
    private const long IndexBytesPerTag = 32;

    private readonly MemoryCache? _cache;
    private readonly InvalidationSync _sync;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly MemoryTierIndex _index = new();
    private readonly PostEvictionCallbackRegistration _unindex;
    private long _epoch;

    public MemoryTier(IOptions<CacheLayerOptions> options, InvalidationSync sync, TimeProvider time, CacheMetrics metrics)
    {
        var settings = options.Value.MemoryTier;
        _sync = sync;
        _time = time;
        _maxAge = settings.MaxAge;
        _unindex = new PostEvictionCallbackRegistration
        {
            EvictionCallback = static (_, value, _, index) => ((MemoryTierIndex)index!).Remove((MemoryTierEntry)value!),
            State = _index,
        };
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

    /// <summary>Keys the invalidation index holds: at most <see cref="Count"/>, plus entries whose eviction callbacks are still queued.</summary>
    internal int IndexedKeys => _index.Keys;

    /// <summary>Entry objects the invalidation index holds (a replaced one counts until its eviction callback ran).</summary>
    internal int IndexedEntries => _index.Entries;

    /// <summary>Entries the invalidations examined, in all: what they cost.</summary>
    internal long InvalidationVisits => _index.Visited;

    public bool TryGet(CacheKey key, out CacheEntry entry)
    {
        if (IsActive && _cache!.TryGetValue(key.Value, out MemoryTierEntry? found) && found is not null)
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
        var held = new MemoryTierEntry(key, entry, tags);
        // Indexed before the cache holds it: its eviction callback, whenever the cache lets it go, finds it there.
        _index.Add(held);
        _cache!.Set(key.Value, held, new MemoryCacheEntryOptions
        {
            AbsoluteExpiration = Min(entry.ExpiresAt, _time.GetUtcNow() + _maxAge),
            Size = entry.Body.Length + (key.Value.Length + (entry.ContentType?.Length ?? 0) + entry.ETag.Length + (entry.Headers?.Length ?? 0)) * sizeof(char)
                + EntryOverheadBytes + IndexOverheadBytes + IndexBytesPerTag * tags.Count,
            PostEvictionCallbacks = { _unindex },
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
            // The eviction callbacks empty the index.
            _cache.Clear();
            return;
        }
        // Only the eviction callbacks unregister: a key removed here and set again at once stays indexed.
        foreach (var key in _index.Covered(invalidation))
        {
            _cache.Remove(key);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset first, DateTimeOffset second) => first < second ? first : second;

    public void Dispose() => _cache?.Dispose();

    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
