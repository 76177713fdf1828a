using System.Text.Json;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>A <c>/metrics/cache</c> answer: <c>{"hits":5,"misses":2,"top_keys":[["GET:/api/posts/",7]],"total_cached_keys":1,"replicas":2}</c>.</summary>
public sealed record CacheStatisticsView(long Hits, long Misses, IReadOnlyDictionary<string, long> TopKeys, long? TotalCachedKeys, int Replicas)
{
    /// <summary>Reads <c>/metrics/cache</c> (with <paramref name="query"/>, e.g. <c>?scope=process</c>) as an admin.</summary>
    public static async Task<CacheStatisticsView> ReadAsync(ApiFactory api, string query = "")
    {
        using var admin = api.CreateAdminClient();
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache" + query));
        var root = document.RootElement;
        var total = root.GetProperty("total_cached_keys");
        return new CacheStatisticsView(
            root.GetProperty("hits").GetInt64(),
            root.GetProperty("misses").GetInt64(),
            root.GetProperty("top_keys").EnumerateArray().ToDictionary(pair => pair[0].GetString()!, pair => pair[1].GetInt64()),
            total.ValueKind == JsonValueKind.Null ? null : total.GetInt64(),
            root.GetProperty("replicas").GetInt32());
    }

    /// <summary>The replicas' own views added up, as the deployment view should report them.</summary>
    public static (long Hits, long Misses, Dictionary<string, long> TopKeys) Sum(IEnumerable<CacheStatisticsView> views)
    {
        var list = views.ToList();
        var topKeys = list.SelectMany(view => view.TopKeys)
            .GroupBy(pair => pair.Key)
            .ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value));
        return (list.Sum(view => view.Hits), list.Sum(view => view.Misses), topKeys);
    }

    /// <summary>
    /// Reads <paramref name="api"/>'s deployment view until <paramref name="done"/> holds (replicas publish every
    /// second), failing with the last answer after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<CacheStatisticsView> PollAsync(ApiFactory api, Func<CacheStatisticsView, bool> done, TimeSpan timeout)
    {
        CacheStatisticsView? last = null;
        try
        {
            return await Eventually.ValueAsync(async _ => done(last = await ReadAsync(api)) ? last : null, timeout);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"After {timeout}: {last} top keys {string.Join(", ", last?.TopKeys ?? Enumerable.Empty<KeyValuePair<string, long>>())}");
            throw;
        }
    }

    public bool Matches((long Hits, long Misses, Dictionary<string, long> TopKeys) sum) =>
        Hits == sum.Hits && Misses == sum.Misses
        && TopKeys.Count == sum.TopKeys.Count && sum.TopKeys.All(pair => TopKeys.GetValueOrDefault(pair.Key) == pair.Value);
}
