namespace CacheLayer.AspNetCore.Admin;

/// <summary>What <c>/metrics/cache</c> reports: this process's counts and top keys, and the live entries in the store.</summary>
internal sealed class CacheStatisticsReport(CacheStatistics statistics, CacheStoreGuard store)
{
    public const int TopKeysReported = 10;

    public async Task<CacheStatisticsResponse> ReadAsync(string route)
    {
        var count = await store.RunAsync(route, "count", s => s.CountAsync());
        var topKeys = statistics.TopKeys(TopKeysReported).Select(pair => new KeyLookups(pair.Key, pair.Value)).ToList();
        return new CacheStatisticsResponse(statistics.Hits, statistics.Misses, topKeys, count.Succeeded ? count.Value : null);
    }
}
