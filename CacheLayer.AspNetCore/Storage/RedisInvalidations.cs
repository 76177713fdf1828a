using CacheLayer.AspNetCore.Keys;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Invalidations on the <see cref="RedisLayout"/>. A path or tag is retired first, in one command, by deleting
/// its generation: from then on no entry or grace copy stored under the old token is served and no miss that
/// read it stores (a later miss creates a fresh random token). Deleting the entries and copies is clean-up, a
/// bounded chunk of members per round trip; a chunk's commands each touch one slot. Deleting single keys of a
/// path (by key, or by a prefix that ends inside its query) only re-fences it (see <see cref="CacheGenerations"/>):
/// its misses in flight cannot store, and its other variants stay; there, deleting the grace copy is what
/// keeps it from being served. Every loop is bounded by the members counted when it
/// starts, so entries stored meanwhile cannot keep it going.
/// </summary>
internal sealed class RedisInvalidations(RedisConnection redis, RedisLayout layout, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    public const int Chunk = 512;

    // Each round trip of an invalidation: its chunks may add up to more, a single one may not.
    private readonly TimeSpan _roundTrip = options.Value.OperationTimeout;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<long> InvalidateAsync(CacheInvalidation invalidation) => invalidation.Kind switch
    {
        CacheInvalidationKind.Path => await InvalidatePathAsync(invalidation.Value),
        CacheInvalidationKind.Tag => await InvalidateTagAsync(invalidation.Value),
        CacheInvalidationKind.Prefix => await InvalidatePrefixAsync(invalidation.Value),
        CacheInvalidationKind.Key => await RemoveKeyAsync(invalidation.Value) ? 1 : 0,
        CacheInvalidationKind.All => await RemoveAllAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(invalidation)),
    };

    private async Task<long> InvalidatePathAsync(string path)
    {
        var database = await redis.DatabaseAsync();
        var variants = layout.VariantsKeyOf(path);
        var retired = database.KeyDeleteAsync(layout.GenerationKeyOf(path));
        var count = database.SortedSetLengthAsync(variants);
        var first = database.SortedSetRangeByRankAsync(variants, 0, Chunk - 1);
        await Bounded(Task.WhenAll(retired, count, first));

        // The plain entry goes in the first chunk even if its member is gone.
        string[] plain = [path];
        var removed = await RemoveAsync(database, [.. (await first).Select(member => path + member).Union(plain)], PathGeneration.Keep);
        for (var chunks = (await count + Chunk - 1) / Chunk - 1; chunks > 0; chunks--)
        {
            var members = await Bounded(database.SortedSetRangeByRankAsync(variants, 0, Chunk - 1));
            if (members.Length == 0)
            {
                break;
            }
            removed += await RemoveAsync(database, [.. members.Select(member => path + member)], PathGeneration.Keep);
        }
        return removed;
    }

    private async Task<long> InvalidateTagAsync(string tag)
    {
        var database = await redis.DatabaseAsync();
        await Bounded(database.KeyDeleteAsync(layout.TagGenerationKeyOf(tag)));

        long removed = 0;
        for (var shard = 0; shard < RedisLayout.TagShards; shard++)
        {
            var index = layout.TagShard(tag, shard);
            for (var chunks = await ChunksIn(database.SortedSetLengthAsync(index)); chunks > 0; chunks--)
            {
                var members = await Bounded(database.SortedSetRangeByRankAsync(index, 0, Chunk - 1));
                if (members.Length == 0)
                {
                    break;
                }
                removed += await RemoveAsync(database, [.. members.Select(member => (string)member!)], PathGeneration.Keep);
                await Bounded(database.SortedSetRemoveAsync(index, members));
            }
        }
        return removed;
    }

    private async Task<long> InvalidatePrefixAsync(string prefix)
    {
        var from = Encoding.UTF8.GetBytes(prefix);
        // Every UTF-8 string that starts with the prefix sorts below the prefix followed by 0xFF.
        byte[] to = [.. from, 0xFF];
        var database = await redis.DatabaseAsync();
        long removed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            var lex = layout.LexShard(shard);
            for (var chunks = await ChunksIn(database.SortedSetLengthByValueAsync(lex, from, to)); chunks > 0; chunks--)
            {
                var members = await Bounded(database.SortedSetRangeByValueAsync(lex, from, to, Exclude.None, take: Chunk));
                if (members.Length == 0)
                {
                    break;
                }
                removed += await RemoveAsync(database, [.. members.Select(member => (string)member!)], path =>
                    path.StartsWith(prefix, StringComparison.Ordinal) ? PathGeneration.Retire : PathGeneration.Refence);
            }
        }
        return removed;
    }

    /// <summary>
    /// Removes one cache entry and its grace copy, re-fencing its path; true if either was there. Only a key
    /// the layer stored counts: its bookkeeping, or a key some other application wrote under the prefix, is
    /// left alone. A grace copy is the layer's own key, removed whatever the entry's state.
    /// </summary>
    private async Task<bool> RemoveKeyAsync(string key)
    {
        var path = CacheKey.PathOf(key);
        var database = await redis.DatabaseAsync();
        var retainedUntil = database.SortedSetScoreAsync(layout.VariantsKeyOf(path), RedisLayout.VariantOf(path, key));
        var copy = database.KeyDeleteAsync(layout.StaleKeyOf(path, key));
        await Bounded(Task.WhenAll(retainedUntil, copy));
        if (await retainedUntil is null)
        {
            if (await copy)
            {
                await Bounded(database.ScriptEvaluateAsync(RedisScripts.Refence, [layout.GenerationKeyOf(path)], [CacheGenerations.NewToken()]));
            }
            return await copy;
        }
        return await RemoveAsync(database, [key], PathGeneration.Refence) > 0 && await retainedUntil > Now || await copy;
    }

    private async Task<long> RemoveAllAsync()
    {
        var database = await redis.DatabaseAsync();
        long removed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            var keys = layout.RetainedShard(shard);
            for (var chunks = await ChunksIn(database.SortedSetLengthAsync(keys)); chunks > 0; chunks--)
            {
                var members = await Bounded(database.SortedSetRangeByRankAsync(keys, 0, Chunk - 1));
                if (members.Length == 0)
                {
                    break;
                }
                removed += await RemoveAsync(database, [.. members.Select(member => (string)member!)], PathGeneration.Retire);
            }
        }
        return removed;
    }

    private Task<long> RemoveAsync(IDatabase database, IReadOnlyCollection<string> keys, PathGeneration generation) =>
        RemoveAsync(database, keys, _ => generation);

    /// <summary>
    /// Deletes these entries (one chunk), their grace copies and their members in the path and key indexes, in
    /// one round trip of commands that each touch one slot, first doing to each path's generation what
    /// <paramref name="generationOf"/> says; returns how many entries (not copies) it deleted. Tag indexes keep
    /// such members until they expire: deleting a missing key does nothing, and nothing counts them.
    /// </summary>
    private async Task<long> RemoveAsync(IDatabase database, IReadOnlyCollection<string> keys, Func<string, PathGeneration> generationOf)
    {
        var writes = new List<Task>();
        var deletes = new List<Task<long>>();
        foreach (var path in keys.GroupBy(CacheKey.PathOf))
        {
            var generation = layout.GenerationKeyOf(path.Key);
            switch (generationOf(path.Key))
            {
                case PathGeneration.Retire:
                    writes.Add(database.KeyDeleteAsync(generation));
                    break;
                case PathGeneration.Refence:
                    writes.Add(database.ScriptEvaluateAsync(RedisScripts.Refence, [generation], [CacheGenerations.NewToken()]));
                    break;
            }
            deletes.Add(database.KeyDeleteAsync([.. path.Select(key => layout.EntryKeyOf(path.Key, key))]));
            writes.Add(database.KeyDeleteAsync([.. path.Select(key => layout.StaleKeyOf(path.Key, key))]));
            writes.Add(database.SortedSetRemoveAsync(layout.VariantsKeyOf(path.Key), [.. path.Select(key => RedisLayout.VariantOf(path.Key, key))]));
        }
        foreach (var shard in keys.GroupBy(key => RedisLayout.KeyShardOf(CacheKey.PathOf(key))))
        {
            RedisValue[] members = [.. shard.Select(key => (RedisValue)key)];
            writes.Add(database.SortedSetRemoveAsync(layout.KeysShard(shard.Key), members));
            writes.Add(database.SortedSetRemoveAsync(layout.LexShard(shard.Key), members));
            writes.Add(database.SortedSetRemoveAsync(layout.RetainedShard(shard.Key), members));
        }
        await Bounded(Task.WhenAll(Task.WhenAll(writes), Task.WhenAll(deletes)));
        return deletes.Sum(delete => delete.Result);
    }

    /// <summary>What a removal does to a path's generation before it deletes entries.</summary>
    private enum PathGeneration
    {
        /// <summary>Nothing: the caller already retired the path or the tag.</summary>
        Keep,
        /// <summary>Retire the path: no entry of it is served, no miss in flight stores.</summary>
        Retire,
        /// <summary>No miss in flight stores; the entries left are still served.</summary>
        Refence,
    }

    private async Task<long> ChunksIn(Task<long> count) => (await Bounded(count) + Chunk - 1) / Chunk;

    private Task<T> Bounded<T>(Task<T> call) => call.WaitAsync(_roundTrip, time);

    private Task Bounded(Task call) => call.WaitAsync(_roundTrip, time);
}
