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
/// A path holds at most <see cref="CacheLayerOptions.MaxVariantsPerPath"/> live entries (checked in the
/// same WATCH/MULTI). Invalidations read and remove a bounded chunk of members per round trip, never one
/// command over a whole set, and each round trip is bounded by <see cref="CacheLayerOptions.OperationTimeout"/>.
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
    private readonly int _maxVariants = options.Value.MaxVariantsPerPath;
    // Each round trip of an invalidation: its chunks may add up to more, a single one may not.
    private readonly TimeSpan _roundTrip = options.Value.OperationTimeout;
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

    public async Task<StoreOutcome> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags)
    {
        var ttl = entry.ExpiresAt - entry.StoredAt;
        if (ttl <= TimeSpan.Zero)
        {
            return StoreOutcome.Invalidated;
        }

        var generationKeys = GenerationKeysOf(key.Path, tags);
        if (generations.Values.Count != generationKeys.Length)
        {
            throw new ArgumentException("One generation per path and tag is needed.", nameof(generations));
        }

        var database = await redis.DatabaseAsync();
        var set = new PendingSet(key, entry, ttl, RedisKeyOf(key.Value).ToString(), generationKeys, generations, tags);
        // The plain path always has room; a variant needs fewer than the cap of live (unexpired) entries.
        var variants = VariantsKeyOf(key.Path);
        var outcome = await TrySetAsync(database, set, key.Value == key.Path ? null : HasRoom(variants));
        if (outcome != StoreOutcome.VariantLimit)
        {
            return outcome;
        }

        // At the cap: drop expired variants so they hold no room, and let a variant already stored be refreshed.
        var batch = database.CreateBatch();
        var trimmed = batch.SortedSetRemoveRangeByScoreAsync(variants, double.NegativeInfinity, Now);
        var stored = batch.SortedSetScoreAsync(variants, set.Member);
        batch.Execute();
        await Task.WhenAll(trimmed, stored);
        return await TrySetAsync(database, set, await stored is null ? HasRoom(variants) : Condition.SortedSetContains(variants, set.Member));
    }

    private Condition HasRoom(RedisKey variants) =>
        Condition.SortedSetLengthLessThan(variants, _maxVariants, Now, double.PositiveInfinity);

    /// <summary>One WATCH/MULTI: stored only if the generations are unchanged and <paramref name="room"/> (if any) holds.</summary>
    private async Task<StoreOutcome> TrySetAsync(IDatabase database, PendingSet set, Condition? room)
    {
        var now = Now;
        var expiresAt = set.Entry.ExpiresAt.ToUnixTimeMilliseconds();
        var transaction = database.CreateTransaction();
        var unchanged = new List<ConditionResult>(set.GenerationKeys.Length);
        foreach (var (generationKey, generation) in set.GenerationKeys.Zip(set.Generations.Values))
        {
            unchanged.Add(transaction.AddCondition(generation == 0
                ? Condition.KeyNotExists(generationKey)
                : Condition.StringEqual(generationKey, generation)));
        }
        var roomLeft = room is null ? null : transaction.AddCondition(room);
        _ = transaction.StringSetAsync(RedisKeyOf(set.Key.Value), set.Entry.Serialize(), set.TimeToLive);
        _ = transaction.SortedSetAddAsync(_registry, set.Member, expiresAt);
        _ = transaction.SortedSetAddAsync(_lex, set.Member, 0);
        // Every variant of a path shares the endpoint's TTL, so the newest one expires last.
        Index(transaction, VariantsKeyOf(set.Key.Path), set.Member, expiresAt, now, set.TimeToLive);
        foreach (var tag in set.Tags)
        {
            Index(transaction, TagKeyOf(tag), set.Member, expiresAt, now, CachePolicy.MaxTimeToLive);
        }
        if (await transaction.ExecuteAsync())
        {
            return StoreOutcome.Stored;
        }
        return roomLeft is { WasSatisfied: false } && unchanged.TrueForAll(result => result.WasSatisfied)
            ? StoreOutcome.VariantLimit
            : StoreOutcome.Invalidated;
    }

    private sealed record PendingSet(
        CacheKey Key, CacheEntry Entry, TimeSpan TimeToLive, RedisValue Member, RedisKey[] GenerationKeys, CacheGenerations Generations, IReadOnlyList<string> Tags);

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
        while (await Bounded(database.SortedSetRangeByRankAsync(_registry, 0, Chunk - 1)) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
        }
        return removed;
    }

    /// <summary>
    /// Removes one cache entry, advancing its path's generation first as an invalidation does. Only a
    /// live member of the registry counts: the layer's bookkeeping, a key some other application wrote
    /// under the prefix, or a key that is not there is left alone (false).
    /// </summary>
    private async Task<bool> RemoveKeyAsync(string key)
    {
        RedisValue member = RedisKeyOf(key).ToString();
        var database = await redis.DatabaseAsync();
        if (await Bounded(database.SortedSetScoreAsync(_registry, member)) is not { } expiresAt || expiresAt <= Now)
        {
            return false;
        }

        var path = CacheKey.PathOf(key);
        var batch = database.CreateBatch();
        var advanced = Advance(batch, GenerationKeyOf(path));
        var deleted = batch.KeyDeleteAsync(RedisKeyOf(key));
        var bookkeeping = Task.WhenAll(
            batch.SortedSetRemoveAsync(_registry, member),
            batch.SortedSetRemoveAsync(_lex, member),
            batch.SortedSetRemoveAsync(VariantsKeyOf(path), member));
        batch.Execute();
        await Bounded(Task.WhenAll(advanced, deleted, bookkeeping));
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
        var count = batch.SortedSetLengthAsync(variants);
        var first = batch.SortedSetRangeByRankAsync(variants, 0, Chunk - 1);
        batch.Execute();
        await Bounded(Task.WhenAll(advanced, count, first));

        // The plain entry goes in the first chunk even if its bookkeeping is gone.
        var removed = await RemoveEntriesAsync([.. (await first).Append(RedisKeyOf(path).ToString()).Distinct()], advanceGenerations: false);
        // Then a chunk at a time, lowest expiry first: the variants there were before the generation
        // moved come before any stored since, so as many chunks as there were members remove them all.
        for (var chunks = (await count + Chunk - 1) / Chunk - 1; chunks > 0; chunks--)
        {
            var members = await Bounded(database.SortedSetRangeByRankAsync(variants, 0, Chunk - 1));
            if (members.Length == 0)
            {
                break;
            }
            removed += await RemoveEntriesAsync(members, advanceGenerations: false);
        }
        return removed;
    }

    private async Task<long> InvalidateTagAsync(string tag)
    {
        var database = await redis.DatabaseAsync();
        var tagKey = TagKeyOf(tag);
        // As for a path: entries of this tag read before now can no longer be stored.
        var batch = database.CreateBatch();
        var advanced = Advance(batch, TagGenerationKeyOf(tag));
        batch.Execute();
        await Bounded(advanced);

        long removed = 0;
        while (await Bounded(database.SortedSetRangeByRankAsync(tagKey, 0, Chunk - 1)) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
            await Bounded(database.SortedSetRemoveAsync(tagKey, members));
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
        while (await Bounded(database.SortedSetRangeByValueAsync(_lex, from, to, Exclude.None, take: Chunk)) is { Length: > 0 } members)
        {
            removed += await RemoveEntriesAsync(members);
        }
        return removed;
    }

    /// <summary>
    /// Removes exactly these entries (one chunk) from the store and every index, first advancing their
    /// paths' generations so that no miss that read before now stores them again (unless the caller
    /// already did). Tag sets keep such members until they expire or are trimmed: harmless, as deleting
    /// a missing key does nothing and nothing counts them.
    /// </summary>
    private async Task<long> RemoveEntriesAsync(RedisValue[] members, bool advanceGenerations = true)
    {
        var byPath = members.GroupBy(member => CacheKey.PathOf(((string)member!)[_prefix.Length..])).ToList();
        var batch = (await redis.DatabaseAsync()).CreateBatch();
        var writes = advanceGenerations ? byPath.Select(path => Advance(batch, GenerationKeyOf(path.Key))).ToList() : [];
        var deleted = batch.KeyDeleteAsync(AsKeys(members));
        writes.Add(deleted);
        writes.Add(batch.SortedSetRemoveAsync(_registry, members));
        writes.Add(batch.SortedSetRemoveAsync(_lex, members));
        writes.AddRange(byPath.Select(path => batch.SortedSetRemoveAsync(VariantsKeyOf(path.Key), path.ToArray())));
        batch.Execute();
        await Bounded(Task.WhenAll(writes));
        return await deleted;
    }

    private Task<T> Bounded<T>(Task<T> roundTrip) => roundTrip.WaitAsync(_roundTrip, time);

    private Task Bounded(Task roundTrip) => roundTrip.WaitAsync(_roundTrip, time);

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
