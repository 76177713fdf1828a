using CacheLayer.AspNetCore.Keys;
using System.Collections.Concurrent;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Where everything lives in Redis (layout v3, see docs/redis-layout-v3.md). A cache key is a path (<c>GET:/api/posts/</c>)
/// and a rest (<c>?page=2|accept-language=fr</c>, or nothing). With <c>P</c> the <see cref="CacheLayerOptions.KeyPrefix"/>:
/// <list type="bullet">
/// <item>the plain path's entry is <c>P</c> + path, the seed's key: it hashes as a whole, like the tag <c>{P + path}</c>;</item>
/// <item>a variant's entry is <c>{P + path}</c> + rest; one body per entry, kept TTL + grace (<see cref="StoredEntry"/>);
/// the path's generation and variants set are <c>{P + path}#gen</c> and <c>{P + path}#variants</c>: one hash slot holds
/// everything one path needs, and only a stored entry (or an invalidation) creates them;</item>
/// <item>cross-path indexes are sharded, each shard its own hash tag <c>{P__cachelayer:s<i>i</i>}</c>, all written by one
/// batched script per shard: the live keys scored by fresh expiry in <c>…exp</c> (the count), the paths scored by
/// when their last entry goes in <c>…paths</c> (what prefix deletes and invalidate-all walk), and a tag's keys scored by
/// when they go in <c>…tag:<i>tag</i></c>; every score is Redis's own time (<c>TIME</c> in the store script);</item>
/// <item>a tag's generation is <c>{P__cachelayer:tag:<i>tag</i>}#gen</c>;</item>
/// <item>the invalidation log every replica reads is <c>{P__cachelayer:log}entries</c>, its sequence <c>{P__cachelayer:log}seq</c>
/// and the number it began at <c>{P__cachelayer:log}first</c>;</item>
/// <item>the deployment-wide statistics share one hash tag: each replica's snapshot in <c>{P__cachelayer:stats}r:<i>id</i></c>,
/// and the replicas publishing, scored by their snapshot's expiry, in <c>{P__cachelayer:stats}replicas</c>.</item>
/// </list>
/// No cache key starts with <c>__cachelayer:</c> (they start with a method), and no rest starts with <c>#</c>.
/// </summary>
internal sealed class RedisLayout(string keyPrefix)
{
    public const int KeyShards = 16;
    private const string Bookkeeping = "__cachelayer:";

    // Tags come from endpoint declarations, so this holds one small string per declared tag.
    private readonly ConcurrentDictionary<string, RedisKey> _tags = new(StringComparer.Ordinal);
    private readonly string[] _shards = [.. Enumerable.Range(0, KeyShards).Select(shard => $"{{{keyPrefix}{Bookkeeping}s{shard}}}")];

    public string KeyPrefix { get; } = keyPrefix;

    /// <summary>The Redis key of a cache entry.</summary>
    public RedisKey EntryKeyOf(CacheKey key) => EntryKeyOf(key.Path, key.Value);

    /// <summary>The Redis key of a cache entry given as text (an admin's, or a member read back from an index).</summary>
    public RedisKey EntryKeyOf(string path, string key) =>
        key.Length > path.Length ? string.Concat(TagOf(path), key.AsSpan(path.Length))
        // A closing brace would make Redis hash part of the name, away from the path's slot.
        : path.Contains('}') ? TagOf(path)
        : KeyPrefix + path;

    public RedisKey GenerationKeyOf(string path) => TagOf(path) + "#gen";

    /// <summary>A variant's entry key less its rest: <c>{P + path}</c>.</summary>
    public string VariantEntryPrefixOf(string path) => TagOf(path);

    public RedisKey VariantsKeyOf(string path) => TagOf(path) + "#variants";

    /// <summary>A key's member in its path's variants set: what follows the path ("" for the plain path).</summary>
    public static RedisValue VariantOf(string path, string key) => key[path.Length..];

    /// <summary>A shard's live keys by fresh expiry (Redis time, ms): what the count counts.</summary>
    public RedisKey ExpiryShard(int shard) => _shards[shard] + "exp";

    /// <summary>A shard's paths by when their last entry (grace included) goes: what prefix deletes and invalidate-all walk.</summary>
    public RedisKey PathsShard(int shard) => _shards[shard] + "paths";

    /// <summary>A tag's keys in a shard (the shard of each key's path), by when the entry goes.</summary>
    public RedisKey TagShard(string tag, int shard) => _shards[shard] + "tag:" + tag.Replace("}", "%7D", StringComparison.Ordinal);

    /// <summary>The prefix of a shard's tag sets, for the janitor (the shard's tags are in the script's own slot).</summary>
    public string TagShardPrefix(int shard) => _shards[shard] + "tag:";

    /// <summary>The invalidation log: a sorted set of entries scored by their sequence number.</summary>
    public RedisKey InvalidationLog => $"{{{KeyPrefix}{Bookkeeping}log}}entries";

    /// <summary>The invalidation log's last sequence number, in the log's slot.</summary>
    public RedisKey InvalidationSequence => $"{{{KeyPrefix}{Bookkeeping}log}}seq";

    /// <summary>The sequence number the current log began at: a reader with no history needs it to see a trimmed log.</summary>
    public RedisKey InvalidationFirst => $"{{{KeyPrefix}{Bookkeeping}log}}first";

    public RedisKey StatisticsSnapshotKey(string replicaId) => $"{{{KeyPrefix}{Bookkeeping}stats}}r:{replicaId}";

    public RedisKey StatisticsReplicasKey => $"{{{KeyPrefix}{Bookkeeping}stats}}replicas";

    /// <summary>The shard of a path's keys in the count and prefix indexes.</summary>
    public static int KeyShardOf(string path) => (int)(Fnv1a(path) % KeyShards);

    /// <summary>The tags this process has named so far.</summary>
    public IEnumerable<string> KnownTags => _tags.Keys;

    public RedisKey TagGenerationKeyOf(string tag) => _tags.GetOrAdd(tag, static (tag, prefix) =>
        $"{{{prefix}{Bookkeeping}tag:{tag.Replace("}", "%7D", StringComparison.Ordinal)}}}#gen", KeyPrefix);

    /// <summary>
    /// <c>{P + path}</c>. A hash tag ends at the first closing brace, so one in the path is written <c>%7D</c>;
    /// a route-built path has none (parameter values are escaped), and a key prefix may not contain braces.
    /// </summary>
    private string TagOf(string path) => path.Contains('}')
        ? "{" + KeyPrefix + path.Replace("}", "%7D", StringComparison.Ordinal) + "}"
        : "{" + KeyPrefix + path + "}";

    // Stable across processes and runs (string.GetHashCode is not), so every replica picks the same shard.
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
