using System.Text.Json;
using System.Text.Json.Serialization;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// One replica's hits, misses and top-keys table, as it publishes them for the deployment-wide view:
/// <c>{"hits":5,"misses":2,"topKeys":{"keys":[["GET:/api/posts/",7]],"bound":0}}</c>.
/// </summary>
internal sealed record StatisticsSnapshot(long Hits, long Misses, TopKeysSummary TopKeys)
{
    /// <summary>The replicas' counts summed, their tables merged into at most <paramref name="capacity"/> keys.</summary>
    public static StatisticsSnapshot Merge(IReadOnlyList<StatisticsSnapshot> snapshots, int capacity) => new(
        snapshots.Sum(snapshot => snapshot.Hits),
        snapshots.Sum(snapshot => snapshot.Misses),
        TopKeysSummary.Merge([.. snapshots.Select(snapshot => snapshot.TopKeys)], capacity));

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, StatisticsSnapshotJsonContext.Default.StatisticsSnapshot);

    /// <summary>
    /// A published snapshot, its table ranked and cut to <paramref name="capacity"/> keys whatever the
    /// publisher's; null if it is not one (another version, a damaged value).
    /// </summary>
    public static StatisticsSnapshot? Deserialize(ReadOnlySpan<byte> utf8, int capacity)
    {
        StatisticsSnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize(utf8, StatisticsSnapshotJsonContext.Default.StatisticsSnapshot);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
        if (snapshot is not { Hits: >= 0, Misses: >= 0, TopKeys: { Keys: { } keys, Bound: >= 0 } topKeys }
            || keys.Any(key => key?.Key is null || key.Lookups < 0))
        {
            return null;
        }
        var ranked = keys.DistinctBy(key => key.Key, StringComparer.Ordinal).OrderByDescending(key => key.Lookups).ToList();
        return snapshot with { TopKeys = new TopKeysSummary(ranked, topKeys.Bound).Truncate(capacity) };
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatisticsSnapshot))]
internal sealed partial class StatisticsSnapshotJsonContext : JsonSerializerContext;
