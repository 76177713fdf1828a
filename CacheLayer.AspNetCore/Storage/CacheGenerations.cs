using System.Buffers.Text;
using System.Globalization;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The generation tokens of a path and of its tags, read before the origin is asked. Tokens are random,
/// replaced by invalidations and lost to eviction, never reused. A path's token has two parts,
/// <c>serve.store</c>: a hit serves an entry only while the <em>serve</em> part (and each tag's token) is
/// the one it was stored under; a miss stores only while the whole token is the one it read. Invalidating a
/// path replaces both parts; deleting single keys of it replaces only the <em>store</em> part, which stops
/// the path's misses in flight from storing without retiring its other variants. A path that has no token yet reads
/// as <see cref="Path"/> "": the store that finds it still without one creates it with the entry, and an
/// invalidation meanwhile creates one, so that store fails (layout v3: nothing is created for what is not stored).
/// </summary>
internal sealed record CacheGenerations(string Path, IReadOnlyList<long> Tags)
{
    /// <summary>
    /// For a path with no token yet: the token its first store creates. Several stores of one answer (an origin's
    /// <c>Vary</c> response under its URL and its variant key) share it, so the second finds its own token, not
    /// another writer's; an invalidation in between replaces it, and the second store fails as it should.
    /// </summary>
    public string? FirstPathToken { get; init; }


    public static long NewToken() => Random.Shared.NextInt64(1, long.MaxValue);

    public static string NewPathToken() => string.Create(CultureInfo.InvariantCulture, $"{NewToken()}.{NewToken()}");

    /// <summary>The tokens an entry is stored under: the path's serve part, then each tag's.</summary>
    public long[] ServeTokens() => [ServePartOf(Path) ?? throw new FormatException($"Bad path token '{Path}'."), .. Tags];

    /// <summary>The serve part of a path token as Redis holds it; null when it is missing or not one.</summary>
    public static long? ServePartOf(ReadOnlySpan<byte> token) =>
        Utf8Parser.TryParse(token, out long serve, out var length) && length < token.Length && token[length] == (byte)'.' ? serve : null;

    private static long? ServePartOf(string token) =>
        token.IndexOf('.') is > 0 and var dot && long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var serve) ? serve : null;
}
