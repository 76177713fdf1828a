using CacheLayer.AspNetCore.Coherence;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The replicas' statistics snapshots in Redis, all under one hash tag (see <see cref="RedisLayout"/>), found
/// through the replicas set rather than SCAN: publishing is one script, reading the others two commands.
/// </summary>
internal sealed class RedisStatistics(RedisConnection redis, RedisLayout layout, ReplicaIdentity replica) : IStatisticsStore
{
    public Task Connected => redis.GetAsync();

    /// <summary>How long a snapshot outlives its publication: a replica that stops publishing drops out after it.</summary>
    public static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(4);

    /// <summary>Most replicas one read takes in, this one included.</summary>
    public const int MaxReplicas = 256;

    public async Task PublishAsync(byte[] snapshot)
    {
        var database = await redis.DatabaseAsync();
        await database.ScriptEvaluateAsync(
            RedisScripts.PublishStatistics,
            [layout.StatisticsSnapshotKey(replica.Id), layout.StatisticsReplicasKey],
            [snapshot, (long)SnapshotLifetime.TotalMilliseconds, replica.Id]);
    }

    /// <summary>
    /// The other replicas' live snapshots, the most recently published first. Members not yet pruned may
    /// name expired snapshots, which Redis no longer returns.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> ReadOthersAsync()
    {
        var database = await redis.DatabaseAsync();
        var replicas = await database.SortedSetRangeByRankAsync(layout.StatisticsReplicasKey, 0, MaxReplicas - 1, Order.Descending);
        var others = replicas
            .Select(id => id.ToString())
            .Where(id => id != replica.Id)
            .Take(MaxReplicas - 1)
            .Select(layout.StatisticsSnapshotKey)
            .ToArray();
        if (others.Length == 0)
        {
            return [];
        }
        // One slot: the snapshots share the statistics hash tag.
        var snapshots = await database.StringGetAsync(others);
        return [.. snapshots.Where(snapshot => !snapshot.IsNull).Select(snapshot => (byte[])snapshot!)];
    }
}
