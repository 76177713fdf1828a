using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Redis layout: the entry lives at <c>{KeyPrefix}{cache key}</c> with a TTL. Bookkeeping lives
/// under <c>{KeyPrefix}__cachelayer:</c>, which no cache key can start with (cache keys start with an
/// HTTP method):
/// <list type="bullet">
/// <item><c>keys</c>: a sorted set of live keys scored by expiry, to count them without KEYS or SCAN;</item>
/// <item><c>variants:{path}</c>: per path, a sorted set of its query variants, to invalidate them all without KEYS or SCAN;</item>
/// <item><c>gen:{path}</c>: per path, a counter every invalidation advances; an entry is only stored
/// (WATCH/MULTI) if the counter still holds the value read before the origin was asked.</item>
/// </list>
/// The sorted sets are trimmed of expired members as entries are written, so they stay as small as the live key set.
/// </summary>
public sealed class RedisResponseCacheStore(IConnectionMultiplexer redis, IOptions<ResponseCachingOptions> options, TimeProvider time)
    : IResponseCacheStore
{
    // A generation must outlive any miss in flight (bounded by the request, far below this).
    private static readonly TimeSpan GenerationLifetime = TimeSpan.FromHours(1);
    private const int DeleteChunk = 512;

    private readonly string _prefix = options.Value.KeyPrefix;
    private readonly RedisKey _registry = options.Value.KeyPrefix + "__cachelayer:keys";
    private readonly string _variantsPrefix = options.Value.KeyPrefix + "__cachelayer:variants:";
    private readonly string _generationPrefix = options.Value.KeyPrefix + "__cachelayer:gen:";

    private IDatabase Database => redis.GetDatabase();

    public async Task<CacheLookup> GetAsync(CacheKey key)
    {
        var values = await Database.StringGetAsync([RedisKeyOf(key.Value), GenerationKeyOf(key.Path)]);
        var entry = values[0].IsNull ? null : CacheEntry.Deserialize((byte[])values[0]!);
        return new CacheLookup(entry, values[1].IsNull ? 0 : (long)values[1]);
    }

    public async Task<bool> SetAsync(CacheKey key, CacheEntry entry, long generation)
    {
        var ttl = entry.ExpiresAt - entry.StoredAt;
        if (ttl <= TimeSpan.Zero)
        {
            return false;
        }

        RedisValue member = RedisKeyOf(key.Value).ToString();
        var expiresAt = entry.ExpiresAt.ToUnixTimeMilliseconds();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var variants = VariantsKeyOf(key.Path);
        var generationKey = GenerationKeyOf(key.Path);

        var transaction = Database.CreateTransaction();
        transaction.AddCondition(generation == 0
            ? Condition.KeyNotExists(generationKey)
            : Condition.StringEqual(generationKey, generation));
        _ = transaction.StringSetAsync(RedisKeyOf(key.Value), entry.Serialize(), ttl);
        _ = transaction.SortedSetAddAsync(_registry, member, expiresAt);
        _ = transaction.SortedSetRemoveRangeByScoreAsync(_registry, double.NegativeInfinity, now);
        _ = transaction.SortedSetAddAsync(variants, member, expiresAt);
        _ = transaction.SortedSetRemoveRangeByScoreAsync(variants, double.NegativeInfinity, now);
        // Every variant of a path shares the endpoint's TTL, so the newest one expires last.
        _ = transaction.KeyExpireAsync(variants, ttl);
        return await transaction.ExecuteAsync();
    }

    public async Task<long> InvalidatePathAsync(string path)
    {
        var database = Database;
        var generationKey = GenerationKeyOf(path);
        var variants = VariantsKeyOf(path);

        // The generation moves first: from here on, no miss that started earlier can store.
        var batch = database.CreateBatch();
        var advanced = batch.StringIncrementAsync(generationKey);
        var expiry = batch.KeyExpireAsync(generationKey, GenerationLifetime);
        var members = batch.SortedSetRangeByRankAsync(variants);
        batch.Execute();
        await Task.WhenAll(advanced, expiry, members);

        var keys = (await members).Select(member => (RedisKey)(string)member!)
            .Append(RedisKeyOf(path))
            .Distinct()
            .ToArray();
        return await DeleteAsync(database, keys, variants);
    }

    public async Task<long> InvalidateAllAsync()
    {
        long removed = 0;
        while (await Database.SortedSetRangeByRankAsync(_registry, 0, DeleteChunk - 1) is { Length: > 0 } members)
        {
            var paths = members.Select(member => PathOf(((string)member!)[_prefix.Length..])).Distinct();
            // Pipelined: the client sends them together, Redis answers them together.
            removed += (await Task.WhenAll(paths.Select(InvalidatePathAsync))).Sum();
            // Members whose variant set already expired are not covered by their path: drop them by name.
            var keys = members.Select(member => (RedisKey)(string)member!).ToArray();
            removed += await Database.KeyDeleteAsync(keys);
            await Database.SortedSetRemoveAsync(_registry, members);
        }
        return removed;
    }

    public async Task<bool> RemoveAsync(string key)
    {
        var path = PathOf(key);
        RedisValue member = RedisKeyOf(key).ToString();
        var batch = Database.CreateBatch();
        var deleted = batch.KeyDeleteAsync(RedisKeyOf(key));
        var bookkeeping = Task.WhenAll(
            batch.SortedSetRemoveAsync(_registry, member),
            batch.SortedSetRemoveAsync(VariantsKeyOf(path), member));
        batch.Execute();
        await bookkeeping;
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

    public Task<TimeSpan> PingAsync() => Database.PingAsync();

    private async Task<long> DeleteAsync(IDatabase database, RedisKey[] keys, RedisKey variants)
    {
        var batch = database.CreateBatch();
        var deleted = batch.KeyDeleteAsync(keys);
        var bookkeeping = Task.WhenAll(
            batch.SortedSetRemoveAsync(_registry, keys.Select(key => (RedisValue)key.ToString()).ToArray()),
            batch.KeyDeleteAsync(variants));
        batch.Execute();
        await bookkeeping;
        return await deleted;
    }

    private static string PathOf(string key) => key.Split('?', 2)[0];

    private RedisKey RedisKeyOf(string key) => _prefix + key;

    private RedisKey VariantsKeyOf(string path) => _variantsPrefix + path;

    private RedisKey GenerationKeyOf(string path) => _generationPrefix + path;
}
