using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// How long an entry stays fresh, read from Redis. Layout v3 keeps one body per entry: its key lives TTL + grace, and
/// the entry is fresh until the time written in it, on Redis's clock.
/// </summary>
public static class EntryTtl
{
    /// <summary>The entry's remaining fresh time (null: no entry at <paramref name="redisKey"/>).</summary>
    public static async Task<TimeSpan?> FreshAsync(IDatabase redis, string redisKey)
    {
        var value = (byte[]?)await redis.StringGetAsync(redisKey);
        return value is null || StoredEntry.FreshUntilOf(value) is not { } until ? null : TimeSpan.FromMilliseconds(until - RedisNow(redis));
    }

    /// <summary>Redis's TIME in unix milliseconds.</summary>
    public static long RedisNow(IDatabase redis)
    {
        var parts = (RedisResult[])redis.Execute("TIME")!;
        return (long)parts[0] * 1000 + (long)parts[1] / 1000;
    }
}
