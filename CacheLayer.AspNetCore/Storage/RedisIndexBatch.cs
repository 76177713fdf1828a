using CacheLayer.AspNetCore.Endpoints;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The cross-path index writes of stored entries (count, paths, tags; see <see cref="RedisLayout"/>), batched per
/// shard: a store adds its writes here, and within <see cref="Delay"/> one script per shard writes every store's
/// of that shard at once, so under load the indexes cost a small fraction of a command per miss instead of five.
/// An index write lands within <see cref="Window"/> of its store, or its entries are deleted: walks that must find
/// every entry (prefix deletes, invalidate-all) walk again after that window.
/// </summary>
internal sealed class RedisIndexBatch(RedisConnection redis, RedisLayout layout, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    /// <summary>How long a store's index writes wait for others to share their round trip.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);

    /// <summary>Writes a batch sends at most in one round trip (per shard); more flush at once.</summary>
    private const int MaxBatch = 256;

    private readonly Lock _lock = new();
    private readonly TimeSpan _timeout = options.Value.OperationTimeout;
    private List<IndexWrite> _pending = [];
    private bool _scheduled;

    /// <summary>The longest an index write can land after its store returned (or its entries are deleted).</summary>
    public TimeSpan Window => Delay + _timeout;

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
        await Task.Delay(Delay, time);
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
        await Task.WhenAll(batch.GroupBy(write => write.Shard).SelectMany(shard => shard.Chunk(MaxBatch)).Select(chunk => WriteAsync(database, chunk)));
    }

    private async Task WriteAsync(IDatabase database, IndexWrite[] writes)
    {
        var shard = writes[0].Shard;
        var tagSets = new List<RedisKey>();
        var tagIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<RedisValue> { (long)CachePolicy.MaxRetention.TotalMilliseconds, writes.Length };
        foreach (var write in writes)
        {
            values.Add(write.Key);
            values.Add(write.FreshUntil);
            values.Add(write.RetainedUntil);
        }
        var paths = writes.GroupBy(write => write.Path).ToList();
        values.Add(paths.Count);
        foreach (var path in paths)
        {
            values.Add(path.Key);
            values.Add(path.Max(write => write.RetainedUntil));
        }
        foreach (var write in writes)
        {
            foreach (var tag in write.Tags)
            {
                if (!tagIndex.TryGetValue(tag, out var index))
                {
                    index = 3 + tagSets.Count;
                    tagIndex[tag] = index;
                    tagSets.Add(layout.TagShard(tag, shard));
                }
                values.Add(index);
                values.Add(write.Key);
                values.Add(write.RetainedUntil);
            }
        }
        try
        {
            await database.ScriptEvaluateAsync(
                RedisScripts.IndexBatch, [layout.ExpiryShard(shard), layout.PathsShard(shard), .. tagSets], [.. values])
                .WaitAsync(_timeout, time);
        }
        catch (Exception)
        {
            // Not indexed, so a prefix delete or invalidate-all might not find them: they go instead (a later miss
            // stores them again). Should this fail too, the store is down and the circuit keeps it unread.
            foreach (var path in writes.GroupBy(write => write.Path))
            {
                _ = database.KeyDeleteAsync([.. path.Select(write => layout.EntryKeyOf(write.Path, write.Key))], CommandFlags.FireAndForget);
            }
        }
    }
}

/// <summary>One stored entry's index writes: its key and path, its shard, and when it stops being fresh and when it goes (Redis ms).</summary>
internal sealed record IndexWrite(string Key, string Path, int Shard, long FreshUntil, long RetainedUntil, IReadOnlyList<string> Tags);
