using CacheLayer.AspNetCore.Keys;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Invalidations on the <see cref="RedisLayout"/> (v3). A path or tag is retired first, in one command, by replacing
/// its generation: from then on no entry stored under the old token is served and no miss that read it (or read
/// none) stores. Deleting the entries is clean-up, a bounded chunk per round trip, each command on one slot. Deleting
/// single keys of a path (by key, or by a prefix that ends inside its query) only re-fences it (see
/// <see cref="CacheGenerations"/>): its misses in flight cannot store, and its other variants stay; there, deleting
/// the entry is what keeps it from being served, and an admin key delete does it whatever bookkeeping was evicted.
/// Prefix deletes and invalidate-all walk the paths index, whose scores and trimming are Redis's time, and walk it
/// again once every index write in flight has landed (<see cref="RedisIndexBatch.Window"/>).
/// </summary>
internal sealed class RedisInvalidations(RedisConnection redis, RedisLayout layout, RedisIndexBatch indexes, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    public const int Chunk = 512;

    /// <summary>A generation an invalidation creates outlives every miss in flight.</summary>
    private static readonly TimeSpan FenceLifetime = TimeSpan.FromMinutes(5);

    // Each round trip of an invalidation: its chunks may add up to more, a single one may not.
    private readonly TimeSpan _roundTrip = options.Value.OperationTimeout;

    public async Task<long> InvalidateAsync(CacheInvalidation invalidation) => invalidation.Kind switch
    {
        CacheInvalidationKind.Path => await InvalidatePathAsync(invalidation.Value),
        CacheInvalidationKind.Tag => await InvalidateTagAsync(invalidation.Value),
        CacheInvalidationKind.Prefix => await TwiceAsync(() => InvalidatePrefixAsync(invalidation.Value)),
        CacheInvalidationKind.Key => await RemoveKeyAsync(invalidation.Value) ? 1 : 0,
        CacheInvalidationKind.All => await TwiceAsync(RemoveAllAsync),
        _ => throw new ArgumentOutOfRangeException(nameof(invalidation)),
    };

    /// <summary>A walk of the paths index, then another once the index writes of stores that returned before it began have all landed.</summary>
    private async Task<long> TwiceAsync(Func<Task<long>> walk)
    {
        await indexes.FlushAsync();
        var removed = await walk();
        // Real time: the index writes in flight land by Redis round trips, which a fake clock does not move.
        await Task.Delay(indexes.Window);
        return removed + await walk();
    }

    /// <summary>Retires the path, then deletes its entries: this process's own bookkeeping in flight lands first, so its variants are found.</summary>
    private async Task<long> InvalidatePathAsync(string path)
    {
        var database = await redis.DatabaseAsync();
        var removed = RemovePathAsync(database, path, PathGeneration.Retire, null);
        await indexes.FlushAsync();
        return await removed + await RemovePathAsync(database, path, PathGeneration.Keep, null);
    }

    private async Task<long> InvalidateTagAsync(string tag)
    {
        var database = await redis.DatabaseAsync();
        await Bounded(database.KeyDeleteAsync(layout.TagGenerationKeyOf(tag)));
        await indexes.FlushAsync();

        long removed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            var index = layout.TagShard(tag, shard);
            for (var chunks = await ChunksIn(database.SortedSetLengthAsync(index)); chunks > 0; chunks--)
            {
                var members = await Bounded(database.SortedSetRangeByRankAsync(index, 0, Chunk - 1));
                if (members.Length == 0)
                {
                    break;
                }
                removed += await RemoveKeysAsync(database, [.. members.Select(member => (string)member!)]);
                await Bounded(database.SortedSetRemoveAsync(index, members));
            }
        }
        return removed;
    }

    /// <summary>Every path that starts with the prefix is retired; the one path the prefix reaches into (past its query) has the keys it covers deleted and is re-fenced.</summary>
    private async Task<long> InvalidatePrefixAsync(string prefix)
    {
        var database = await redis.DatabaseAsync();
        long removed = 0;
        var reached = CacheKey.PathOf(prefix);
        if (reached.Length < prefix.Length)
        {
            removed += await RemovePathAsync(database, reached, PathGeneration.Refence, key => key.StartsWith(prefix, StringComparison.Ordinal));
        }
        var pattern = EscapeGlob(prefix) + "*";
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            var paths = new List<string>();
            await foreach (var member in database.SortedSetScanAsync(layout.PathsShard(shard), pattern, pageSize: Chunk))
            {
                paths.Add(member.Element!);
            }
            foreach (var chunk in paths.Chunk(Chunk))
            {
                removed += (await Task.WhenAll(chunk.Select(path => RemovePathAsync(database, path, PathGeneration.Retire, null)))).Sum();
                await Bounded(database.SortedSetRemoveAsync(layout.PathsShard(shard), [.. chunk.Select(path => (RedisValue)path)]));
            }
        }
        return removed;
    }

    /// <summary>
    /// Removes one cache entry, re-fencing its path; true if it was there. Only a value the layer wrote counts (its
    /// first byte): its bookkeeping, or a key some other application wrote under the prefix, is left alone. One
    /// script on the path's slot, so it holds whatever bookkeeping was evicted.
    /// </summary>
    private async Task<bool> RemoveKeyAsync(string key)
    {
        var path = CacheKey.PathOf(key);
        var database = await redis.DatabaseAsync();
        var removed = (long)await Bounded(database.ScriptEvaluateAsync(
            RedisScripts.RemoveKey,
            [layout.EntryKeyOf(path, key), layout.GenerationKeyOf(path), layout.VariantsKeyOf(path)],
            [RedisLayout.VariantOf(path, key), CacheGenerations.NewToken(), CacheGenerations.NewPathToken(), (long)FenceLifetime.TotalMilliseconds]));
        await Bounded(database.SortedSetRemoveAsync(layout.ExpiryShard(RedisLayout.KeyShardOf(path)), key));
        return removed == 1;
    }

    private async Task<long> RemoveAllAsync()
    {
        var database = await redis.DatabaseAsync();
        long removed = 0;
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            var paths = layout.PathsShard(shard);
            for (var chunks = await ChunksIn(database.SortedSetLengthAsync(paths)); chunks > 0; chunks--)
            {
                var members = await Bounded(database.SortedSetRangeByRankAsync(paths, 0, Chunk - 1));
                if (members.Length == 0)
                {
                    break;
                }
                removed += (await Task.WhenAll(members.Select(path => RemovePathAsync(database, path!, PathGeneration.Retire, null)))).Sum();
                await Bounded(database.SortedSetRemoveAsync(paths, members));
            }
        }
        return removed;
    }

    /// <summary>
    /// Does to the path's generation what <paramref name="generation"/> says, then deletes its entries (those
    /// <paramref name="covers"/> says, or all), a chunk of its variants set per round trip; the plain entry goes
    /// even if its member is gone. Returns how many entries it deleted.
    /// </summary>
    private async Task<long> RemovePathAsync(IDatabase database, string path, PathGeneration generation, Func<string, bool>? covers)
    {
        var generationKey = layout.GenerationKeyOf(path);
        Task fence = generation switch
        {
            PathGeneration.Keep => Task.CompletedTask,
            PathGeneration.Retire => database.ScriptEvaluateAsync(
                RedisScripts.Retire, [generationKey], [CacheGenerations.NewPathToken(), (long)FenceLifetime.TotalMilliseconds]),
            PathGeneration.Refence => database.ScriptEvaluateAsync(
                RedisScripts.Refence, [generationKey], [CacheGenerations.NewToken(), CacheGenerations.NewPathToken(), (long)FenceLifetime.TotalMilliseconds]),
            _ => Task.CompletedTask,
        };
        var variants = layout.VariantsKeyOf(path);
        var count = database.SortedSetLengthAsync(variants);
        await Bounded(Task.WhenAll(fence, count));

        long removed = 0;
        var first = true;
        // By rank: covered members are deleted as they go, the others skipped; bounded by the members counted at the start.
        var offset = 0L;
        for (var chunks = Math.Max(1, (await count + Chunk - 1) / Chunk); chunks > 0; chunks--)
        {
            var members = await Bounded(database.SortedSetRangeByRankAsync(variants, offset, offset + Chunk - 1));
            var covered = members.Select(member => path + member).Where(key => covers is null || covers(key)).ToList();
            offset += members.Length - covered.Count;
            if (first && !covered.Contains(path) && (covers is null || covers(path)))
            {
                covered.Add(path);
            }
            first = false;
            removed += await RemoveKeysAsync(database, covered);
            if (members.Length < Chunk)
            {
                break;
            }
        }
        return removed;
    }

    /// <summary>
    /// Deletes these entries (one chunk) and their members in the variants sets and the count index, in one round
    /// trip of commands that each touch one slot; returns how many entries it deleted. Tag and paths indexes keep
    /// such members until they expire: deleting a missing key does nothing, and nothing counts them.
    /// </summary>
    private async Task<long> RemoveKeysAsync(IDatabase database, IReadOnlyCollection<string> keys)
    {
        if (keys.Count == 0)
        {
            return 0;
        }
        var writes = new List<Task>();
        var deletes = new List<Task<long>>();
        foreach (var path in keys.GroupBy(CacheKey.PathOf))
        {
            deletes.Add(database.KeyDeleteAsync([.. path.Select(key => layout.EntryKeyOf(path.Key, key))]));
            writes.Add(database.SortedSetRemoveAsync(layout.VariantsKeyOf(path.Key), [.. path.Select(key => RedisLayout.VariantOf(path.Key, key))]));
        }
        foreach (var shard in keys.GroupBy(key => RedisLayout.KeyShardOf(CacheKey.PathOf(key))))
        {
            writes.Add(database.SortedSetRemoveAsync(layout.ExpiryShard(shard.Key), [.. shard.Select(key => (RedisValue)key)]));
        }
        await Bounded(Task.WhenAll(Task.WhenAll(writes), Task.WhenAll(deletes)));
        return deletes.Sum(delete => delete.Result);
    }

    /// <summary>What a removal does to a path's generation before it deletes entries.</summary>
    private enum PathGeneration
    {
        /// <summary>Nothing: the caller already retired the path.</summary>
        Keep,
        /// <summary>Retire the path: no entry of it is served, no miss in flight stores.</summary>
        Retire,
        /// <summary>No miss in flight stores; the entries left are still served.</summary>
        Refence,
    }

    private static string EscapeGlob(string text) =>
        string.Concat(text.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? $"\\{c}" : c.ToString()));

    private async Task<long> ChunksIn(Task<long> count) => (await Bounded(count) + Chunk - 1) / Chunk;

    private Task<T> Bounded<T>(Task<T> call) => call.WaitAsync(_roundTrip, time);

    private Task Bounded(Task call) => call.WaitAsync(_roundTrip, time);
}
