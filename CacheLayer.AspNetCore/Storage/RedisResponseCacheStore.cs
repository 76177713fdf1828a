using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Redis layout: the entry lives at <c>{KeyPrefix}{cache key}</c> with a TTL. Bookkeeping lives
/// under <c>{KeyPrefix}__cachelayer:</c>, which no cache key can start with (cache keys start with an
/// HTTP method), so nothing ever needs KEYS or SCAN:
/// <list type="bullet">
/// <item><c>keys</c>: live keys scored by expiry: counts them, and finds the expired for trimming;</item>
/// <item><c>lex</c>: the same keys at score 0, ordered by name: a prefix is one ZRANGEBYLEX;</item>
/// <item><c>variants:{path}</c> and <c>tag:{tag}</c>: a path's query/header variants and a tag's keys, scored by expiry;</item>
/// <item><c>gen:{path}</c> and <c>gen:tag:{tag}</c>: counters every invalidation of the path or tag advances; an
/// entry is only stored (WATCH/MULTI) if they still hold the values read before the origin was asked.</item>
/// </list>
/// Sorted sets drop expired members as entries are written (and <see cref="TrimExpiredAsync"/> runs in
/// the background), so bookkeeping stays as large as the live key set. Everything a command touches
/// together must share a Redis Cluster slot: under Cluster, give <c>KeyPrefix</c> a hash tag.
/// </summary>
internal sealed class RedisResponseCacheStore(RedisConnection redis, IOptions<CacheLayerOptions> options, TimeProvider time)
    : IResponseCacheStore
{
    // A generation must outlive any miss in flight (bounded by the request, far below this).
    private static readonly TimeSpan GenerationLifetime = TimeSpan.FromHours(1);
    private const int Chunk = 512;

    private readonly string _prefix = options.Value.KeyPrefix;
    private readonly RedisKey _registry = options.Value.KeyPrefix + "__cachelayer:keys";
    private readonly RedisKey _lex = options.Value.KeyPrefix + "__cachelayer:lex";
    private readonly string _variantsPrefix = options.Value.KeyPrefix + "__cachelayer:variants:";
    private readonly string _tagPrefix = options.Value.KeyPrefix + "__cachelayer:tag:";
    private readonly string _generationPrefix = options.Value.KeyPrefix + "__cachelayer:gen:";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task Connected => redis.GetAsync();

    public async Task<CacheEntry?> GetAsync(CacheKey key)
    {
        var value = await (await redis.DatabaseAsync()).StringGetAsync(RedisKeyOf(key.Value));
        return value.IsNull ? null : CacheEntry.Deserialize((byte[])value!);
    }

    public async Task<CacheGenerations> GetGenerationsAsync(string path, IReadOnlyList<string> tags) =>
        Generations(await (await redis.DatabaseAsync()).StringGetAsync(GenerationKeysOf(path, tags)));

    public async Task<bool> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags)
    {
        var ttl = entry.ExpiresAt - entry.StoredAt;
        if (ttl <= TimeSpan.Zero)
        {
            return false;
        }

        RedisValue member = RedisKeyOf(key.Value).ToString();
        var expiresAt = entry.ExpiresAt.ToUnixTimeMilliseconds();
        var now = Now;
        var generationKeys = GenerationKeysOf(key.Path, tags);
        if (generations.Values.Count != generationKeys.Length)
        {
            throw new ArgumentException("One generation per path and tag is needed.", nameof(generations));
        }

        var transaction = (await redis.DatabaseAsync()).CreateTransaction();
        foreach (var (generationKey, generation) in generationKeys.Zip(generations.Values))
        {
            transaction.AddCondition(generation == 0
                ? Condition.KeyNotExists(generationKey)
                : Condition.StringEqual(generationKey, generation));
        }
        _ = transaction.StringSetAsync(RedisKeyOf(key.Value), entry.Serialize(), ttl);
        _ = transaction.SortedSetAddAsync(_registry, member, expiresAt);
        _ = transaction.SortedSetAddAsync(_lex, member, 0);
        // Every variant of a path shares the endpoint's TTL, so the newest one expires last.
        Index(transaction, VariantsKeyOf(key.Path), member, expiresAt, now, ttl);
        foreach (var tag in tags)
        {
            Index(transaction, TagKeyOf(tag), member, expiresAt, now, CachePolicy.MaxTimeToLive);
        }
        return await transaction.ExecuteAsync();
    }

    public async Task<long> InvalidateAsync(CacheInvalidation invalidation) => invalidation.Kind switch
        {
            CacheInvalidationKind.Path => await InvalidatePathAsync(invalidation.Value),
            CacheInvalidationKind.Tag => await InvalidateTagAsync(invalidation.Value),
            CacheInvalidationKind.Prefix => await InvalidatePrefixAsync(invalidation.Value),
            CacheInvalidationKind.Key => await RemoveKeyAsync(invalidation.Value) ? 1 : 0,
            CacheInvalidationKind.All => await RemoveAllAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(invalidation)),
        };

    private async Task<long> RemoveAllAsync()
    {
        long removed = 0;
        var database = await redis.DatabaseAsync();
        while (await database.SortedSetRangeByRankAsync(_registry, 0, Chunk - 1) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
        }
        return removed;
    }

    private async Task<bool> RemoveKeyAsync(string key)
    {
        RedisValue member = RedisKeyOf(key).ToString();
        var batch = (await redis.DatabaseAsync()).CreateBatch();
        var deleted = batch.KeyDeleteAsync(RedisKeyOf(key));
        var bookkeeping = Task.WhenAll(
            batch.SortedSetRemoveAsync(_registry, member),
            batch.SortedSetRemoveAsync(_lex, member),
            batch.SortedSetRemoveAsync(VariantsKeyOf(CacheKey.PathOf(key)), member));
        batch.Execute();
        await bookkeeping;
        return await deleted;
    }

    public async Task<long> CountAsync() =>
        await (await redis.DatabaseAsync()).SortedSetLengthAsync(_registry, Now, double.PositiveInfinity, Exclude.Start);

    public async Task<long> TrimExpiredAsync()
    {
        var database = await redis.DatabaseAsync();
        long trimmed = 0;
        while (await database.SortedSetRangeByScoreAsync(_registry, double.NegativeInfinity, Now, take: Chunk) is { Length: > 0 } expired)
        {
            var batch = database.CreateBatch();
            var removal = Task.WhenAll(
                batch.SortedSetRemoveAsync(_lex, expired),
                batch.SortedSetRemoveAsync(_registry, expired));
            batch.Execute();
            await removal;
            trimmed += expired.Length;
        }
        return trimmed;
    }

    public async Task<TimeSpan> PingAsync() => await (await redis.DatabaseAsync()).PingAsync();

    private async Task<long> InvalidatePathAsync(string path)
    {
        var database = await redis.DatabaseAsync();
        var variants = VariantsKeyOf(path);

        // The generation moves first: from here on, no miss that started earlier can store.
        var batch = database.CreateBatch();
        var advanced = Advance(batch, GenerationKeyOf(path));
        var members = batch.SortedSetRangeByRankAsync(variants);
        batch.Execute();
        await Task.WhenAll(advanced, members);

        RedisValue[] entries = [.. (await members).Append(RedisKeyOf(path).ToString()).Distinct()];
        batch = database.CreateBatch();
        var deleted = batch.KeyDeleteAsync(AsKeys(entries));
        var bookkeeping = Task.WhenAll(
            batch.SortedSetRemoveAsync(_registry, entries),
            batch.SortedSetRemoveAsync(_lex, entries),
            batch.KeyDeleteAsync(variants));
        batch.Execute();
        await bookkeeping;
        return await deleted;
    }

    private async Task<long> InvalidateTagAsync(string tag)
    {
        var database = await redis.DatabaseAsync();
        var tagKey = TagKeyOf(tag);
        // As for a path: entries of this tag read before now can no longer be stored.
        var batch = database.CreateBatch();
        var advanced = Advance(batch, TagGenerationKeyOf(tag));
        batch.Execute();
        await advanced;

        long removed = 0;
        while (await database.SortedSetRangeByRankAsync(tagKey, 0, Chunk - 1) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
            await database.SortedSetRemoveAsync(tagKey, members);
        }
        return removed;
    }

    private async Task<long> InvalidatePrefixAsync(string prefix)
    {
        var from = Encoding.UTF8.GetBytes(_prefix + prefix);
        // Every UTF-8 string that starts with the prefix sorts below the prefix followed by 0xFF.
        byte[] to = [.. from, 0xFF];
        var database = await redis.DatabaseAsync();
        long removed = 0;
        while (await database.SortedSetRangeByValueAsync(_lex, from, to, Exclude.None, take: Chunk) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
        }
        return removed;
    }

    /// <summary>
    /// Removes exactly these entries, first advancing their paths' generations so that no miss that read
    /// before now stores them again. Tag sets keep such members until they expire or are trimmed:
    /// harmless, as deleting a missing key does nothing and nothing counts them.
    /// </summary>
    private async Task<long> RemoveEntriesAsync(RedisValue[] members)
    {
        var byPath = members.GroupBy(member => CacheKey.PathOf(((string)member!)[_prefix.Length..])).ToList();
        var batch = (await redis.DatabaseAsync()).CreateBatch();
        var writes = byPath.Select(path => Advance(batch, GenerationKeyOf(path.Key))).ToList();
        var deleted = batch.KeyDeleteAsync(AsKeys(members));
        writes.Add(batch.SortedSetRemoveAsync(_registry, members));
        writes.Add(batch.SortedSetRemoveAsync(_lex, members));
        writes.AddRange(byPath.Select(path => batch.SortedSetRemoveAsync(VariantsKeyOf(path.Key), path.ToArray())));
        batch.Execute();
        await Task.WhenAll(writes);
        return await deleted;
    }

    private static Task Advance(IBatch batch, RedisKey generationKey) => Task.WhenAll(
        batch.StringIncrementAsync(generationKey),
        batch.KeyExpireAsync(generationKey, GenerationLifetime));

    private static CacheGenerations Generations(ReadOnlySpan<RedisValue> values)
    {
        var generations = new long[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            generations[i] = values[i].IsNull ? 0 : (long)values[i];
        }
        return new CacheGenerations(generations);
    }

    private RedisKey[] GenerationKeysOf(string path, IReadOnlyList<string> tags) =>
        [GenerationKeyOf(path), .. tags.Select(TagGenerationKeyOf)];

    private static void Index(ITransaction transaction, RedisKey set, RedisValue member, long expiresAt, long now, TimeSpan lifetime)
    {
        _ = transaction.SortedSetAddAsync(set, member, expiresAt);
        _ = transaction.SortedSetRemoveRangeByScoreAsync(set, double.NegativeInfinity, now);
        _ = transaction.KeyExpireAsync(set, lifetime);
    }

    private static RedisKey[] AsKeys(RedisValue[] members) => [.. members.Select(member => (RedisKey)(string)member!)];

    private RedisKey RedisKeyOf(string key) => _prefix + key;

    private RedisKey VariantsKeyOf(string path) => _variantsPrefix + path;

    private RedisKey TagKeyOf(string tag) => _tagPrefix + tag;

    private RedisKey GenerationKeyOf(string path) => _generationPrefix + path;

    // Tags and paths share the generation namespace: a path starts with a method and a colon, a tag key with "tag:".
    private RedisKey TagGenerationKeyOf(string tag) => _generationPrefix + "tag:" + tag;
}
