using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The store on Redis, laid out by <see cref="RedisLayout"/> so that it works on a single node and natively on
/// Redis Cluster: a hit is one read of the entry with its path's generation (one slot) plus its tags'
/// generations in parallel; a miss reads the generations, and stores in one script on the path's slot, then
/// updates the cross-path indexes without waiting for them. Invalidations live in <see cref="RedisInvalidations"/>.
/// </summary>
internal sealed class RedisResponseCacheStore(
    RedisConnection redis, RedisLayout layout, RedisInvalidations invalidations, IOptions<CacheLayerOptions> options, TimeProvider time)
    : IResponseCacheStore
{
    // A created generation must outlive the miss that reads it; one an entry is stored under, the entry.
    private static readonly TimeSpan NewGenerationLifetime = TimeSpan.FromMinutes(5);
    private const int Chunk = RedisInvalidations.Chunk;

    private readonly RedisLayout _layout = layout;
    private readonly int _maxVariants = options.Value.MaxVariantsPerPath;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task Connected => redis.GetAsync();

    public Task<CacheLookup> GetAsync(CacheKey key, IReadOnlyList<string> tags) => ReadAsync(_layout.EntryKeyOf(key), key, tags, withGenerations: false);

    /// <summary>The copy comes with the generations it was checked against: a refresh stores under them.</summary>
    public Task<CacheLookup> GetStaleAsync(CacheKey key, IReadOnlyList<string> tags) => ReadAsync(_layout.StaleKeyOf(key), key, tags, withGenerations: true);

    private async Task<CacheLookup> ReadAsync(RedisKey entryKey, CacheKey key, IReadOnlyList<string> tags, bool withGenerations)
    {
        var database = await redis.DatabaseAsync();
        var read = database.StringGetAsync([entryKey, _layout.GenerationKeyOf(key.Path)]);
        var tagReads = tags.Count == 0 ? [] : new Task<RedisValue>[tags.Count];
        for (var i = 0; i < tagReads.Length; i++)
        {
            tagReads[i] = database.StringGetAsync(_layout.TagGenerationKeyOf(tags[i]));
        }
        var values = await read;
        if (tagReads.Length > 0)
        {
            await Task.WhenAll(tagReads);
        }
        return (values[0].IsNull ? null : Fresh((byte[])values[0]!, values[1], tagReads)) is { } entry
            ? new CacheLookup(entry, withGenerations ? Generations(values[1], tagReads) : null)
            : new CacheLookup(null, Generations(values[1], tagReads));
    }

    private static CacheEntry? Fresh(byte[] stored, RedisValue pathGeneration, Task<RedisValue>[] tagGenerations)
    {
        Span<long?> current = stackalloc long?[1 + tagGenerations.Length];
        current[0] = pathGeneration.IsNull ? null : CacheGenerations.ServePartOf(((ReadOnlyMemory<byte>)pathGeneration).Span);
        for (var i = 0; i < tagGenerations.Length; i++)
        {
            current[i + 1] = TokenOf(tagGenerations[i].Result);
        }
        return StoredEntry.Read(stored, current);
    }

    /// <summary>The generations a lookup read, if they all exist (a missing one must be created, by <see cref="GetGenerationsAsync"/>).</summary>
    private static CacheGenerations? Generations(RedisValue pathGeneration, Task<RedisValue>[] tagGenerations)
    {
        if (pathGeneration.IsNull || CacheGenerations.ServePartOf(((ReadOnlyMemory<byte>)pathGeneration).Span) is null)
        {
            return null;
        }
        var tags = new long[tagGenerations.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            if (TokenOf(tagGenerations[i].Result) is not { } token)
            {
                return null;
            }
            tags[i] = token;
        }
        return new CacheGenerations(pathGeneration.ToString(), tags);
    }

    public async Task<CacheGenerations> GetGenerationsAsync(string path, IReadOnlyList<string> tags)
    {
        var database = await redis.DatabaseAsync();
        var pathRead = ReadGeneration(database, _layout.GenerationKeyOf(path), CacheGenerations.NewPathToken());
        var tagReads = new Task<RedisResult>[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            tagReads[i] = ReadGeneration(database, _layout.TagGenerationKeyOf(tags[i]), CacheGenerations.NewToken());
        }
        var pathToken = (string)(await pathRead)!;
        var tagTokens = new long[tagReads.Length];
        for (var i = 0; i < tagReads.Length; i++)
        {
            tagTokens[i] = (long)await tagReads[i];
        }
        return new CacheGenerations(pathToken, tagTokens);
    }

    private static Task<RedisResult> ReadGeneration(IDatabase database, RedisKey generation, RedisValue newToken) =>
        database.ScriptEvaluateAsync(RedisScripts.ReadGeneration, [generation], [newToken, (long)NewGenerationLifetime.TotalMilliseconds]);

    public async Task<StoreOutcome> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags, TimeSpan grace = default)
    {
        var ttl = (long)(entry.ExpiresAt - entry.StoredAt).TotalMilliseconds;
        if (ttl <= 0)
        {
            return StoreOutcome.Invalidated;
        }
        if (generations.Tags.Count != tags.Count)
        {
            throw new ArgumentException("One generation per path and tag is needed.", nameof(generations));
        }

        var database = await redis.DatabaseAsync();
        var expiresAt = entry.ExpiresAt.ToUnixTimeMilliseconds();
        var plain = key.Value.Length == key.Path.Length;
        var kept = grace > TimeSpan.Zero ? ttl + (long)grace.TotalMilliseconds : 0;
        var retainedUntil = expiresAt + (long)grace.TotalMilliseconds;
        var store = database.ScriptEvaluateAsync(
            RedisScripts.Store,
            [_layout.EntryKeyOf(key), _layout.GenerationKeyOf(key.Path), _layout.VariantsKeyOf(key.Path), _layout.StaleKeyOf(key)],
            [
                generations.Path, StoredEntry.Write(entry, generations.ServeTokens()), ttl, retainedUntil, Now,
                RedisLayout.VariantOf(key.Path, key.Value), plain ? 0 : _maxVariants, (long)CachePolicy.MaxRetention.TotalMilliseconds, kept,
            ]);
        // Tag generations live in other slots: checked alongside (a hit checks them again), so that an
        // entry a tag invalidation already retired is not reported stored nor kept in memory.
        var tagReads = new Task<RedisValue>[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            tagReads[i] = database.StringGetAsync(_layout.TagGenerationKeyOf(tags[i]));
        }
        var outcome = (long)await store;
        if (outcome != 1)
        {
            return outcome == 2 ? StoreOutcome.VariantLimit : StoreOutcome.Invalidated;
        }
        for (var i = 0; i < tagReads.Length; i++)
        {
            if (TokenOf(await tagReads[i]) != generations.Tags[i])
            {
                return StoreOutcome.Invalidated;
            }
        }

        // The cross-path indexes (count, retention, prefix, tag) live in other slots. The request does not
        // wait for them; later commands on this connection, such as a count, still see them. All but the
        // count keep a key while its grace copy lives, so invalidations find the copy too.
        var shard = RedisLayout.KeyShardOf(key.Path);
        const CommandFlags later = CommandFlags.FireAndForget;
        _ = database.SortedSetAddAsync(_layout.KeysShard(shard), key.Value, expiresAt, flags: later);
        _ = database.SortedSetAddAsync(_layout.RetainedShard(shard), key.Value, retainedUntil, flags: later);
        _ = database.SortedSetAddAsync(_layout.LexShard(shard), key.Value, 0, flags: later);
        foreach (var tag in tags)
        {
            var tagShard = _layout.TagShard(tag, RedisLayout.TagShardOf(key.Path));
            _ = database.SortedSetAddAsync(tagShard, key.Value, retainedUntil, flags: later);
            _ = database.KeyExpireAsync(tagShard, CachePolicy.MaxRetention, flags: later);
        }
        return StoreOutcome.Stored;
    }

    public Task<long> InvalidateAsync(CacheInvalidation invalidation) => invalidations.InvalidateAsync(invalidation);

    /// <summary>The live keys of every shard, counted in parallel: one command per shard, no global key.</summary>
    public async Task<long> CountAsync()
    {
        var database = await redis.DatabaseAsync();
        var now = Now;
        var counts = Enumerable.Range(0, RedisLayout.KeyShards)
            .Select(shard => database.SortedSetLengthAsync(_layout.KeysShard(shard), now, double.PositiveInfinity, Exclude.Start));
        return (await Task.WhenAll(counts)).Sum();
    }

    /// <summary>
    /// A chunk at a time: the count shards, the retention and prefix shards together (a key stays in those
    /// while its grace copy lives), then the tag shards of the tags this process named. Returns the expired entries.
    /// </summary>
    public async Task<long> TrimExpiredAsync()
    {
        var database = await redis.DatabaseAsync();
        long trimmed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            trimmed += await TrimAsync(database, _layout.KeysShard(shard));
            await TrimAsync(database, _layout.RetainedShard(shard), _layout.LexShard(shard));
        }
        // Every replica trims the tags it stores under, which covers every tag in use.
        foreach (var tag in _layout.KnownTags)
        {
            for (var shard = 0; shard < RedisLayout.TagShards; shard++)
            {
                await TrimAsync(database, _layout.TagShard(tag, shard));
            }
        }
        return trimmed;
    }

    private async Task<long> TrimAsync(IDatabase database, RedisKey byExpiry, RedisKey? sameMembers = null)
    {
        long trimmed = 0;
        while (await database.SortedSetRangeByScoreAsync(byExpiry, double.NegativeInfinity, Now, take: Chunk) is { Length: > 0 } expired)
        {
            await Task.WhenAll(
                sameMembers is { } other ? database.SortedSetRemoveAsync(other, expired) : Task.CompletedTask,
                database.SortedSetRemoveAsync(byExpiry, expired));
            trimmed += expired.Length;
        }
        return trimmed;
    }

    public async Task<TimeSpan> PingAsync() => await (await redis.DatabaseAsync()).PingAsync();

    private static long? TokenOf(RedisValue value) => value.TryParse(out long token) ? token : null;
}
