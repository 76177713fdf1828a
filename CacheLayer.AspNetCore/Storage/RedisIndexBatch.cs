using System.Collections.Concurrent;
using CacheLayer.AspNetCore.Endpoints;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The bookkeeping of stored entries, batched off the request path: within <see cref="Delay"/> of a store, one script
/// per shard writes every store's count, paths and tag index members of that shard (one ZADD per set), and one script
/// per path adds its new variants and keeps its variant cap. Under load that is a small fraction of a command per miss.
/// An index write lands within <see cref="Window"/> of its store, or its entries are deleted: walks that must find
/// every entry (prefix deletes, invalidate-all) walk again after that window. A path found at its cap is remembered
/// here until its soonest variant goes, so its new variants are refused without a round trip.
/// </summary>
// Real time, not the host's TimeProvider: these waits are for Redis round trips, which a test's fake clock does not move.
internal sealed class RedisIndexBatch(RedisConnection redis, RedisLayout layout, RedisClock clock, IOptions<CacheLayerOptions> options)
{
    /// <summary>How long a store's bookkeeping waits for others to share its round trips.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);

    /// <summary>Writes one script sends at most; more go in further scripts of the same flush.</summary>
    private const int MaxBatch = 256;

    /// <summary>Paths remembered at their cap: bounded, whatever paths clients ask for.</summary>
    private const int MaxFullPaths = 4096;

    private readonly Lock _lock = new();
    private readonly TimeSpan _timeout = options.Value.OperationTimeout;
    private readonly int _maxVariants = options.Value.MaxVariantsPerPath;
    private readonly ConcurrentDictionary<string, long> _fullUntil = new(StringComparer.Ordinal);
    private readonly long[] _renewedAt = new long[RedisLayout.KeyShards];
    private List<IndexWrite> _pending = [];
    private bool _scheduled;

    /// <summary>The longest an index write can land after its store returned (or its entries are deleted).</summary>
    public TimeSpan Window => Delay + _timeout;

    /// <summary>Whether the path was at its variant cap when last written, and still is by then (Redis ms).</summary>
    public bool IsFull(string path, long now) => _fullUntil.TryGetValue(path, out var until) && until > now;

    public void Add(IndexWrite write)
    {
        bool flushNow;
        lock (_lock)
        {
            _pending.Add(write);
            flushNow = _pending.Count >= MaxBatch * 4;
            if (!flushNow && _scheduled)
            {
                return;
            }
            _scheduled = true;
        }
        _ = flushNow ? FlushAsync() : FlushLaterAsync();
    }

    private async Task FlushLaterAsync()
    {
        await Task.Delay(Delay);
        await FlushAsync();
    }

    /// <summary>Writes everything pending now; completes when it has landed (or failed, its entries then deleted).</summary>
    public async Task FlushAsync()
    {
        List<IndexWrite> batch;
        lock (_lock)
        {
            batch = _pending;
            _pending = [];
            _scheduled = false;
        }
        if (batch.Count == 0)
        {
            return;
        }
        IDatabase database;
        try
        {
            database = await redis.DatabaseAsync();
        }
        catch (Exception)
        {
            return;
        }
        var shards = batch.GroupBy(write => write.Shard).SelectMany(shard => shard.Chunk(MaxBatch)).Select(chunk => WriteShardAsync(database, chunk));
        var paths = batch.Where(write => write.Key.Length > write.Path.Length)
            .GroupBy(write => write.Path).SelectMany(path => path.Chunk(MaxBatch)).Select(chunk => WriteVariantsAsync(database, chunk));
        await Task.WhenAll(shards.Concat(paths));
    }

    private async Task WriteShardAsync(IDatabase database, IndexWrite[] writes)
    {
        var shard = writes[0].Shard;
        var tags = writes.SelectMany(write => write.Tags).Distinct(StringComparer.Ordinal).ToList();
        var values = new List<RedisValue> { RenewNow(shard) ? (long)CachePolicy.MaxRetention.TotalMilliseconds : 0, writes.Length };
        foreach (var write in writes)
        {
            values.Add(write.FreshUntil);
            values.Add(write.Key);
        }
        var paths = writes.GroupBy(write => write.Path).ToList();
        values.Add(paths.Count);
        foreach (var path in paths)
        {
            values.Add(path.Max(write => write.RetainedUntil));
            values.Add(path.Key);
        }
        foreach (var tag in tags)
        {
            var tagged = writes.Where(write => write.Tags.Contains(tag)).ToList();
            values.Add(tagged.Count);
            foreach (var write in tagged)
            {
                values.Add(write.RetainedUntil);
                values.Add(write.Key);
            }
        }
        await WriteOrDeleteAsync(database, writes, () => database.ScriptEvaluateAsync(
            RedisScripts.IndexBatch, [layout.ExpiryShard(shard), layout.PathsShard(shard), .. tags.Select(tag => layout.TagShard(tag, shard))], [.. values]));
    }

    /// <summary>Whether this process should renew the shard's sets' lifetime (two days) now: once an hour per shard, not at every batch.</summary>
    private bool RenewNow(int shard)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _renewedAt[shard]);
        return (last == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(last, now) > TimeSpan.FromHours(1))
            && Interlocked.CompareExchange(ref _renewedAt[shard], now, last) == last;
    }

    private async Task WriteVariantsAsync(IDatabase database, IndexWrite[] writes)
    {
        var path = writes[0].Path;
        var now = await clock.NowAsync();
        // The plain entry takes one place of the cap, as the path's variants take the others.
        var cap = _maxVariants > 0 ? Math.Max(1, _maxVariants - 1) : 0;
        var values = new List<RedisValue> { (long)CachePolicy.MaxRetention.TotalMilliseconds, now, cap, layout.VariantEntryPrefixOf(path) };
        foreach (var write in writes)
        {
            values.Add(RedisLayout.VariantOf(path, write.Key));
            values.Add(write.RetainedUntil);
        }
        var result = await WriteOrDeleteAsync(database, writes, () => database.ScriptEvaluateAsync(RedisScripts.AddVariants, [layout.VariantsKeyOf(path)], [.. values]));
        if (result is null)
        {
            return;
        }
        var parts = (RedisResult[])result!;
        if ((long)parts[0] > 0 || _fullUntil.ContainsKey(path))
        {
            if ((long)parts[0] > 0 && _fullUntil.Count < MaxFullPaths)
            {
                _fullUntil[path] = (long)parts[1];
            }
            else
            {
                _fullUntil.TryRemove(path, out _);
            }
        }
    }

    private async Task<RedisResult?> WriteOrDeleteAsync(IDatabase database, IndexWrite[] writes, Func<Task<RedisResult>> write)
    {
        try
        {
            return await write().WaitAsync(_timeout);
        }
        catch (Exception)
        {
            // Not indexed, so a prefix delete or invalidate-all might not find them: they go instead (a later miss
            // stores them again). Should this fail too, the store is down and the circuit keeps it unread.
            foreach (var path in writes.GroupBy(write => write.Path))
            {
                _ = database.KeyDeleteAsync([.. path.Select(write => layout.EntryKeyOf(write.Path, write.Key))], CommandFlags.FireAndForget);
            }
            return null;
        }
    }
}

/// <summary>One stored entry's bookkeeping: its key and path, its shard, and when it stops being fresh and when it goes (Redis ms).</summary>
internal sealed record IndexWrite(string Key, string Path, int Shard, long FreshUntil, long RetainedUntil, IReadOnlyList<string> Tags);
