using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The replicas' statistics snapshots in Redis, all under one hash tag (see <see cref="RedisLayout"/>), found
/// through the replicas set rather than SCAN: publishing is one script, reading the others two commands.
/// </summary>
internal sealed class RedisStatistics(RedisConnection redis, RedisLayout layout, ReplicaIdentity replica, TimeProvider time)
{
    /// <summary>How long a snapshot outlives its publication: a replica that stops publishing drops out after it.</summary>
    public static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(4);

    /// <summary>Most replicas one read takes in, this one included.</summary>
    public const int MaxReplicas = 256;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task PublishAsync(byte[] snapshot)
    {
        var database = await redis.DatabaseAsync();
        var now = Now;
        var lifetime = (long)SnapshotLifetime.TotalMilliseconds;
        await database.ScriptEvaluateAsync(
            RedisScripts.PublishStatistics,
            [layout.StatisticsSnapshotKey(replica.Id), layout.StatisticsReplicasKey],
            [snapshot, lifetime, now + lifetime, replica.Id, now]);
    }

    /// <summary>The other replicas' live snapshots, the most recently published first.</summary>
    public async Task<IReadOnlyList<byte[]>> ReadOthersAsync()
    {
        var database = await redis.DatabaseAsync();
        var replicas = await database.SortedSetRangeByScoreAsync(
            layout.StatisticsReplicasKey, Now, double.PositiveInfinity, Exclude.Start, Order.Descending, take: MaxReplicas);
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
