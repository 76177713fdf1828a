using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The store on Redis, laid out by <see cref="RedisLayout"/> (v3) so that it works on a single node and natively on
/// Redis Cluster. A lookup is one <c>MGET</c> on the path's slot (the entry and the path's generation) plus one <c>GET</c>
/// per tag in parallel; it tells a fresh entry from one in its grace period on Redis's clock (<see cref="RedisClock"/>),
/// so a graced endpoint needs no second read for its copy. A miss stores in one script on the path's slot, which
/// creates the path's generation only then: nothing is written for a response that is not stored. A tag invalidated
/// between the lookup and the store leaves an entry no hit serves (hits check every token). The cross-path indexes
/// are written in batches per shard (<see cref="RedisIndexBatch"/>). Invalidations live in <see cref="RedisInvalidations"/>.
/// </summary>
internal sealed class RedisResponseCacheStore(
    RedisConnection redis, RedisLayout layout, RedisInvalidations invalidations, RedisIndexBatch indexes, RedisClock clock, IOptions<CacheLayerOptions> options)
    : IResponseCacheStore
{
    // A tag's generation created by a read must outlive the miss that reads it; one an entry is stored under, the entry.
    private static readonly TimeSpan NewTagGenerationLifetime = TimeSpan.FromMinutes(5);

    private readonly RedisLayout _layout = layout;
    private readonly int _maxVariants = options.Value.MaxVariantsPerPath;

    public Task Connected => redis.GetAsync();

    /// <summary>
    /// The fresh entry; or, past its TTL and within its grace, <see cref="CacheLookup.Stale"/>: the same single read
    /// serves both. Generations come along whenever the tags' all exist ("" for a path that has none yet).
    /// </summary>
    public async Task<CacheLookup> GetAsync(CacheKey key, IReadOnlyList<string> tags)
    {
        var read = await ReadAsync(key, tags);
        return read.Fresh ? new CacheLookup(read.Entry, null) : new CacheLookup(null, read.Generations, read.Entry);
    }

    /// <summary>The entry whether fresh or in its grace period, with the generations it was checked against: a refresh stores under them.</summary>
    public async Task<CacheLookup> GetStaleAsync(CacheKey key, IReadOnlyList<string> tags)
    {
        var read = await ReadAsync(key, tags);
        return read.Entry is null ? new CacheLookup(null, read.Generations) : new CacheLookup(read.Entry, read.Generations);
    }

    private async Task<(CacheEntry? Entry, bool Fresh, CacheGenerations? Generations)> ReadAsync(CacheKey key, IReadOnlyList<string> tags)
    {
        var database = await redis.DatabaseAsync();
        var read = database.StringGetAsync([_layout.EntryKeyOf(key), _layout.GenerationKeyOf(key.Path)]);
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
        var generations = Generations(values[1], tagReads);
        if (values[0].IsNull || Current((byte[])values[0]!, values[1], tagReads) is not { } entry)
        {
            return (null, false, generations);
        }
        var freshUntil = StoredEntry.FreshUntilOf((byte[])values[0]!) ?? 0;
        return (entry, freshUntil > await clock.NowAsync(), generations);
    }

    private static CacheEntry? Current(byte[] stored, RedisValue pathToken, Task<RedisValue>[] tagGenerations)
    {
        Span<long?> current = stackalloc long?[1 + tagGenerations.Length];
        current[0] = CacheGenerations.ServePartOf(((ReadOnlyMemory<byte>)pathToken).Span);
        for (var i = 0; i < tagGenerations.Length; i++)
        {
            current[i + 1] = TokenOf(tagGenerations[i].Result);
        }
        return StoredEntry.Read(stored, current);
    }

    /// <summary>The generations a lookup read, if every tag's exists (a missing one must be created, by <see cref="GetGenerationsAsync"/>); a path without one reads as "".</summary>
    private static CacheGenerations? Generations(RedisValue pathToken, Task<RedisValue>[] tagGenerations)
    {
        var path = pathToken.IsNullOrEmpty ? "" : pathToken.ToString();
        if (path.Length > 0 && CacheGenerations.ServePartOf(((ReadOnlyMemory<byte>)pathToken).Span) is null)
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
        return new CacheGenerations(path, tags);
    }

    /// <summary>The path's token as it is ("" when it has none: it is created by the store that needs it) and the tags' (created when missing).</summary>
    public async Task<CacheGenerations> GetGenerationsAsync(string path, IReadOnlyList<string> tags)
    {
        var database = await redis.DatabaseAsync();
        var pathRead = database.StringGetAsync(_layout.GenerationKeyOf(path));
        var tagReads = new Task<RedisResult>[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            tagReads[i] = database.ScriptEvaluateAsync(
                RedisScripts.ReadGeneration, [_layout.TagGenerationKeyOf(tags[i])],
                [CacheGenerations.NewToken(), (long)NewTagGenerationLifetime.TotalMilliseconds]);
        }
        var pathToken = await pathRead;
        var tagTokens = new long[tagReads.Length];
        for (var i = 0; i < tagReads.Length; i++)
        {
            tagTokens[i] = (long)await tagReads[i];
        }
        return new CacheGenerations(pathToken.IsNullOrEmpty ? "" : pathToken.ToString(), tagTokens);
    }

    /// <summary>
    /// Two commands on the path's slot, sent together: the entry (with the tokens it was read under), and the path's
    /// generation set if it has none (<c>SET NX GET</c>: created by the first store, read back by every one). Stored
    /// when the generation is still the one read (or was created here); otherwise the entry, which no hit would serve
    /// (its tokens are not current), is deleted again. A tag invalidated since the lookup leaves an entry no hit serves
    /// either. The variant cap and the indexes are kept by the batch (<see cref="RedisIndexBatch"/>).
    /// </summary>
    public async Task<StoreOutcome> SetAsync(CacheKey key, CacheEntry entry, CacheGenerations generations, IReadOnlyList<string> tags, TimeSpan grace = default)
    {
        var ttl = (long)(entry.ExpiresAt - entry.StoredAt).TotalMilliseconds;
        // An entry stale from the start (an origin's max-age=0 or no-cache) is kept only for its grace: to be revalidated.
        if (ttl < 0 || (ttl == 0 && grace <= TimeSpan.Zero))
        {
            return StoreOutcome.Invalidated;
        }
        if (generations.Tags.Count != tags.Count)
        {
            throw new ArgumentException("One generation per path and tag is needed.", nameof(generations));
        }
        var now = await clock.NowAsync();
        var plain = key.Value.Length == key.Path.Length;
        var database = await redis.DatabaseAsync();
        // At its cap (as the last batch found it, and as it still is: an invalidation may have emptied it since), a path
        // takes no new variant; one it holds may be refreshed.
        if (!plain && _maxVariants > 0 && indexes.IsFull(key.Path, now))
        {
            var variants = _layout.VariantsKeyOf(key.Path);
            var held = database.SortedSetScoreAsync(variants, RedisLayout.VariantOf(key.Path, key.Value));
            var count = database.SortedSetLengthAsync(variants);
            if (await held is null && await count >= Math.Max(1, _maxVariants - 1))
            {
                return StoreOutcome.VariantLimit;
            }
        }
        grace = grace > TimeSpan.Zero ? grace : TimeSpan.Zero;
        var kept = ttl + (long)grace.TotalMilliseconds;
        // A path without a token gets this one, with the entry; one that has one keeps it (NX).
        var fresh = generations.FirstPathToken ?? CacheGenerations.NewPathToken();
        var serving = generations.Path.Length == 0 ? generations with { Path = fresh } : generations;

        var entryKey = _layout.EntryKeyOf(key);
        var write = database.StringSetAsync(entryKey, StoredEntry.Write(entry, serving.ServeTokens(), grace, now + ttl), TimeSpan.FromMilliseconds(kept));
        var token = database.StringSetAndGetAsync(_layout.GenerationKeyOf(key.Path), fresh, CachePolicy.MaxRetention, keepTtl: false, when: When.NotExists);
        await Task.WhenAll(write, token);
        var current = await token;
        // As text: RedisValue compares numeric-looking strings ("serve.store" parses as a double) as numbers.
        var unchanged = generations.Path.Length == 0
            ? current.IsNull || (generations.FirstPathToken is not null && string.Equals((string?)current, fresh, StringComparison.Ordinal))
            : string.Equals((string?)current, generations.Path, StringComparison.Ordinal);
        if (!unchanged)
        {
            await database.KeyDeleteAsync(entryKey);
            return StoreOutcome.Invalidated;
        }
        indexes.Add(new IndexWrite(key.Value, key.Path, RedisLayout.KeyShardOf(key.Path), now + ttl, now + kept, tags));
        return StoreOutcome.Stored;
    }

    public Task<long> InvalidateAsync(CacheInvalidation invalidation) => invalidations.InvalidateAsync(invalidation);

    /// <summary>The live keys of every shard, on Redis's clock, counted in parallel: one command per shard, no global key.</summary>
    public async Task<long> CountAsync()
    {
        await indexes.FlushAsync();
        var database = await redis.DatabaseAsync();
        var counts = Enumerable.Range(0, RedisLayout.KeyShards)
            .Select(async shard => (long)await database.ScriptEvaluateAsync(RedisScripts.CountLive, [_layout.ExpiryShard(shard)]));
        return (await Task.WhenAll(counts)).Sum();
    }

    /// <summary>
    /// A chunk at a time per shard, on Redis's clock: the count set, the paths set and the shard's sets of the tags
    /// this process named (every replica trims the tags it stores under, which covers every tag in use). Returns the
    /// expired entries.
    /// </summary>
    public async Task<long> TrimExpiredAsync()
    {
        var database = await redis.DatabaseAsync();
        long trimmed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            RedisKey[] keys = [_layout.ExpiryShard(shard), _layout.PathsShard(shard), .. _layout.KnownTags.Select(tag => _layout.TagShard(tag, shard))];
            for (var rounds = 0; rounds < 64; rounds++)
            {
                var dropped = (long)await database.ScriptEvaluateAsync(RedisScripts.Trim, keys, [RedisInvalidations.Chunk]);
                trimmed += dropped;
                if (dropped < RedisInvalidations.Chunk)
                {
                    break;
                }
            }
        }
        return trimmed;
    }

    /// <summary>
    /// The recovery's probe. With no master among the servers the client is connected to (the master went away), it
    /// first asks every server its role again: a replica promoted since is found now, rather than at the client's
    /// next periodic check (up to a minute), so invalidations deferred meanwhile are applied to it and caching resumes.
    /// </summary>
    public async Task<TimeSpan> PingAsync()
    {
        var multiplexer = await redis.GetAsync();
        if (!multiplexer.GetServers().Any(server => server.IsConnected && !server.IsReplica))
        {
            await multiplexer.ConfigureAsync();
        }
        return await multiplexer.GetDatabase().PingAsync();
    }

    private static long? TokenOf(RedisValue value) => value.TryParse(out long token) ? token : null;
}
