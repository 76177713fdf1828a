using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// How long an entry stays fresh, read from Redis. Layout v3 keeps one body per entry: its key lives TTL + grace,
/// and the entry is fresh while its remaining time is more than the grace written in it.
/// </summary>
public static class EntryTtl
{
    /// <summary>The entry's remaining fresh time (null: no entry at <paramref name="redisKey"/>).</summary>
    public static async Task<TimeSpan?> FreshAsync(IDatabase redis, string redisKey)
    {
        var value = (byte[]?)await redis.StringGetAsync(redisKey);
        var left = await redis.KeyTimeToLiveAsync(redisKey);
        return value is null || left is null || StoredEntry.GraceOf(value) is not { } grace ? null : left - grace;
    }
}
