using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>Process-local hit and miss counts and the top-keys table behind <c>/metrics/cache</c>.</summary>
public sealed class CacheStatistics(IOptions<ResponseCachingOptions> options)
{
    private readonly TopKeysTable _topKeys = new(options.Value.TopKeysCapacity);
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public void Hit(CacheKey key)
    {
        Interlocked.Increment(ref _hits);
        _topKeys.Record(key.Value);
    }

    public void Miss(CacheKey key)
    {
        Interlocked.Increment(ref _misses);
        _topKeys.Record(key.Value);
    }

    public IReadOnlyList<KeyValuePair<string, long>> TopKeys(int count) => _topKeys.Top(count);
}
