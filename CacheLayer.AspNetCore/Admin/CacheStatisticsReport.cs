using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Admin;

/// <summary>
/// What <c>/metrics/cache</c> reports: hits, misses and top keys of the whole deployment (this process's
/// live numbers merged with the other replicas' published snapshots) or of this process alone, and the
/// live entries in the store.
/// </summary>
internal sealed class CacheStatisticsReport(
    CacheStatistics statistics, CacheStoreGuard store, IStatisticsStore replicas, IOptions<CacheLayerOptions> options)
{
    public const int TopKeysReported = 10;

    private readonly int _capacity = options.Value.TopKeysCapacity;

    public async Task<CacheStatisticsResponse> ReadAsync(string route, CacheStatisticsScope scope)
    {
        var count = store.RunAsync(route, "count", s => s.CountAsync());
        if (scope == CacheStatisticsScope.Process)
        {
            var topKeys = statistics.TopKeys(TopKeysReported).Select(pair => new KeyLookups(pair.Key, pair.Value)).ToList();
            return new CacheStatisticsResponse(statistics.Hits, statistics.Misses, topKeys, await TotalAsync(count), Replicas: 1);
        }

        var others = await store.RunAsync(route, "statistics", _ => replicas.ReadOthersAsync());
        // This process's live numbers, not its last snapshot; the others' are at most a second old.
        List<StatisticsSnapshot> snapshots = [statistics.Snapshot()];
        foreach (var published in others.Value ?? [])
        {
            if (StatisticsSnapshot.Deserialize(published, _capacity) is { } snapshot)
            {
                snapshots.Add(snapshot);
            }
        }
        var merged = StatisticsSnapshot.Merge(snapshots, _capacity);
        return new CacheStatisticsResponse(
            merged.Hits, merged.Misses, [.. merged.TopKeys.Keys.Take(TopKeysReported)], await TotalAsync(count), snapshots.Count);
    }

    private static async Task<long?> TotalAsync(Task<StoreCallResult<long>> count) => await count is { Succeeded: true } total ? total.Value : null;
}
