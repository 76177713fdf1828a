using CacheLayer.AspNetCore.Keys;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>Process-local hit and miss counts and the top-keys table behind <c>/metrics/cache</c>.</summary>
internal sealed class CacheStatistics(IOptions<CacheLayerOptions> options)
{
    private readonly TopKeysTable _topKeys = new(options.Value.TopKeysCapacity);
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public void Hit(CacheKey key) => Record(ref _hits, key);

    public void Miss(CacheKey key) => Record(ref _misses, key);

    public IReadOnlyList<KeyValuePair<string, long>> TopKeys(int count) => _topKeys.Top(count);

    /// <summary>This process's counts and whole top-keys table, as published for the deployment-wide view.</summary>
    public StatisticsSnapshot Snapshot() => new(Hits, Misses, _topKeys.Summary());

    private void Record(ref long counter, CacheKey key)
    {
        Interlocked.Increment(ref counter);
        _topKeys.Record(key.Value);
    }
}
