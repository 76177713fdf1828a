using CacheLayer.AspNetCore.Keys;
using System.Collections.Concurrent;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Where everything lives in Redis (layout v2). A cache key is a path (<c>GET:/api/posts/</c>) and a rest
/// (<c>?page=2|accept-language=fr</c>, or nothing). With <c>P</c> the <see cref="CacheLayerOptions.KeyPrefix"/>:
/// <list type="bullet">
/// <item>the plain path's entry is <c>P</c> + path, the seed's key: it hashes as a whole, like the tag <c>{P + path}</c>;</item>
/// <item>a variant's entry is <c>{P + path}</c> + rest, its grace copy <c>{P + path}#stale</c> + rest, and the path's
/// generation and variants set are <c>{P + path}#gen</c> and <c>{P + path}#variants</c>: one hash slot holds
/// everything one path needs;</item>
/// <item>cross-path indexes are sharded, each shard its own hash tag: the live keys scored by expiry in
/// <c>{P__cachelayer:s<i>i</i>}keys</c>, the keys with an entry or a grace copy scored by the later expiry in <c>…retained</c>,
/// and the same keys by name in <c>…lex</c> (a path's keys all in the shard its name hashes to),
/// a tag's generation in <c>{P__cachelayer:tag:<i>tag</i>}#gen</c> and its keys in <c>{P__cachelayer:tag:<i>tag</i>:s<i>j</i>}keys</c>;</item>
/// <item>the invalidation log every replica reads is <c>{P__cachelayer:log}entries</c> and its sequence <c>{P__cachelayer:log}seq</c>;</item>
/// <item>the deployment-wide statistics share one hash tag: each replica's snapshot in <c>{P__cachelayer:stats}r:<i>id</i></c>,
/// and the replicas publishing, scored by their snapshot's expiry, in <c>{P__cachelayer:stats}replicas</c>.</item>
/// </list>
/// No cache key starts with <c>__cachelayer:</c> (they start with a method), and no rest starts with <c>#</c>.
/// </summary>
internal sealed class RedisLayout(string keyPrefix)
{
    public const int KeyShards = 16;
    public const int TagShards = 8;
    private const string Bookkeeping = "__cachelayer:";

    private readonly ConcurrentDictionary<string, TagKeys> _tags = new(StringComparer.Ordinal);

    public string KeyPrefix { get; } = keyPrefix;

    /// <summary>The Redis key of a cache entry.</summary>
    public RedisKey EntryKeyOf(CacheKey key) => EntryKeyOf(key.Path, key.Value);

    /// <summary>The Redis key of a cache entry given as text (an admin's, or a member read back from an index).</summary>
    public RedisKey EntryKeyOf(string path, string key) =>
        key.Length > path.Length ? string.Concat(TagOf(path), key.AsSpan(path.Length))
        // A closing brace would make Redis hash part of the name, away from the path's slot.
        : path.Contains('}') ? TagOf(path)
        : KeyPrefix + path;

    /// <summary>The Redis key of an entry's grace copy: beside the entry, in its path's slot.</summary>
    public RedisKey StaleKeyOf(CacheKey key) => StaleKeyOf(key.Path, key.Value);

    public RedisKey StaleKeyOf(string path, string key) => string.Concat(TagOf(path), "#stale", key.AsSpan(path.Length));

    public RedisKey GenerationKeyOf(string path) => TagOf(path) + "#gen";

    public RedisKey VariantsKeyOf(string path) => TagOf(path) + "#variants";

    /// <summary>A key's member in its path's variants set: what follows the path ("" for the plain path).</summary>
    public static RedisValue VariantOf(string path, string key) => key[path.Length..];

    public RedisKey KeysShard(int shard) => $"{{{KeyPrefix}{Bookkeeping}s{shard}}}keys";

    public RedisKey LexShard(int shard) => $"{{{KeyPrefix}{Bookkeeping}s{shard}}}lex";

    public RedisKey RetainedShard(int shard) => $"{{{KeyPrefix}{Bookkeeping}s{shard}}}retained";

    /// <summary>The invalidation log: a sorted set of entries scored by their sequence number.</summary>
    public RedisKey InvalidationLog => $"{{{KeyPrefix}{Bookkeeping}log}}entries";

    /// <summary>The invalidation log's last sequence number, in the log's slot.</summary>
    public RedisKey InvalidationSequence => $"{{{KeyPrefix}{Bookkeeping}log}}seq";

    public RedisKey StatisticsSnapshotKey(string replicaId) => $"{{{KeyPrefix}{Bookkeeping}stats}}r:{replicaId}";

    public RedisKey StatisticsReplicasKey => $"{{{KeyPrefix}{Bookkeeping}stats}}replicas";

    /// <summary>The shard of a path's keys in the count and prefix indexes.</summary>
    public static int KeyShardOf(string path) => (int)(Fnv1a(path) % KeyShards);

    /// <summary>The tags this process has named so far.</summary>
    public IEnumerable<string> KnownTags => _tags.Keys;

    public RedisKey TagGenerationKeyOf(string tag) => KeysOf(tag).Generation;

    public RedisKey TagShard(string tag, int shard) => KeysOf(tag).Shards[shard];

    public static int TagShardOf(string path) => (int)(Fnv1a(path) / KeyShards % TagShards);

    /// <summary>
    /// <c>{P + path}</c>. A hash tag ends at the first closing brace, so one in the path is written <c>%7D</c>;
    /// a route-built path has none (parameter values are escaped), and a key prefix may not contain braces.
    /// </summary>
    private string TagOf(string path) => path.Contains('}')
        ? "{" + KeyPrefix + path.Replace("}", "%7D", StringComparison.Ordinal) + "}"
        : "{" + KeyPrefix + path + "}";

    // Tags come from endpoint declarations, so this holds one small record per declared tag.
    private TagKeys KeysOf(string tag) => _tags.GetOrAdd(tag, static (tag, prefix) =>
    {
        var name = prefix + Bookkeeping + "tag:" + tag.Replace("}", "%7D", StringComparison.Ordinal);
        return new TagKeys(
            $"{{{name}}}#gen",
            [.. Enumerable.Range(0, TagShards).Select(shard => (RedisKey)$"{{{name}:s{shard}}}keys")]);
    }, KeyPrefix);

    private sealed record TagKeys(RedisKey Generation, RedisKey[] Shards);

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
