using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Redis layout: the entry lives at <c>{KeyPrefix}{cache key}</c> with a TTL. Bookkeeping lives
/// under <c>{KeyPrefix}__cachelayer:</c>, which no cache key can start with (cache keys start with an
/// HTTP method): a sorted set of live keys scored by expiry (counts without KEYS or SCAN), and per path
/// a sorted set of its query variants (invalidates them all without KEYS or SCAN). Both are trimmed of
/// expired members as entries are written, so they stay as small as the live key set.
/// </summary>
public sealed class RedisResponseCacheStore(IConnectionMultiplexer redis, IOptions<ResponseCachingOptions> options, TimeProvider time)
    : IResponseCacheStore
{
    private readonly string _prefix = options.Value.KeyPrefix;
    private readonly RedisKey _registry = options.Value.KeyPrefix + "__cachelayer:keys";
    private readonly string _variantsPrefix = options.Value.KeyPrefix + "__cachelayer:variants:";

    private IDatabase Database => redis.GetDatabase();

    public async Task<CacheEntry?> GetAsync(CacheKey key)
    {
        var value = await Database.StringGetAsync(RedisKeyOf(key.Value));
        return value.IsNull ? null : CacheEntry.Deserialize((byte[])value!);
    }

    public async Task SetAsync(CacheKey key, CacheEntry entry)
    {
        var ttl = entry.ExpiresAt - entry.StoredAt;
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        RedisValue member = RedisKeyOf(key.Value).ToString();
        var expiresAt = entry.ExpiresAt.ToUnixTimeMilliseconds();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var variants = VariantsKeyOf(key.Path);

        var batch = Database.CreateBatch();
        Task[] writes =
        [
            batch.StringSetAsync(RedisKeyOf(key.Value), entry.Serialize(), ttl),
            batch.SortedSetAddAsync(_registry, member, expiresAt),
            batch.SortedSetRemoveRangeByScoreAsync(_registry, double.NegativeInfinity, now),
            batch.SortedSetAddAsync(variants, member, expiresAt),
            batch.SortedSetRemoveRangeByScoreAsync(variants, double.NegativeInfinity, now),
            // Every variant of a path shares the endpoint's TTL, so the newest one expires last.
            batch.KeyExpireAsync(variants, ttl),
        ];
        batch.Execute();
        await Task.WhenAll(writes);
    }

    public async Task<long> InvalidatePathAsync(string path)
    {
        var database = Database;
        var variants = VariantsKeyOf(path);
        var members = await database.SortedSetRangeByRankAsync(variants);
        var keys = members.Select(member => (RedisKey)(string)member!)
            .Append(RedisKeyOf(path))
            .Distinct()
            .ToArray();

        var batch = database.CreateBatch();
        var deleted = batch.KeyDeleteAsync(keys);
        Task[] bookkeeping =
        [
            batch.SortedSetRemoveAsync(_registry, keys.Select(key => (RedisValue)key.ToString()).ToArray()),
            batch.KeyDeleteAsync(variants),
        ];
        batch.Execute();
        await Task.WhenAll(bookkeeping);
        return await deleted;
    }

    public async Task<bool> RemoveAsync(string key)
    {
        var redisKey = RedisKeyOf(key);
        RedisValue member = redisKey.ToString();
        var path = key.Split('?', 2)[0];

        var batch = Database.CreateBatch();
        var deleted = batch.KeyDeleteAsync(redisKey);
        Task[] bookkeeping =
        [
            batch.SortedSetRemoveAsync(_registry, member),
            batch.SortedSetRemoveAsync(VariantsKeyOf(path), member),
        ];
        batch.Execute();
        await Task.WhenAll(bookkeeping);
        return await deleted;
    }

    public async Task<long> CountAsync()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = Database.CreateBatch();
        var trim = batch.SortedSetRemoveRangeByScoreAsync(_registry, double.NegativeInfinity, now);
        var count = batch.SortedSetLengthAsync(_registry);
        batch.Execute();
        await trim;
        return await count;
    }

    private RedisKey RedisKeyOf(string key) => _prefix + key;

    private RedisKey VariantsKeyOf(string path) => _variantsPrefix + path;
}
