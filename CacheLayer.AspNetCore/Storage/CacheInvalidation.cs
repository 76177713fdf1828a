using CacheLayer.AspNetCore.Keys;
namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// What to invalidate: one path with all its variants, every entry with a tag, every key with a
/// prefix, one exact key, or everything.
/// </summary>
internal readonly record struct CacheInvalidation(CacheInvalidationKind Kind, string Value)
{
    public static CacheInvalidation Path(string path) => new(CacheInvalidationKind.Path, path);

    public static CacheInvalidation Tag(string tag) => new(CacheInvalidationKind.Tag, tag);

    public static CacheInvalidation Prefix(string prefix) => new(CacheInvalidationKind.Prefix, prefix);

    public static CacheInvalidation Key(string key) => new(CacheInvalidationKind.Key, key);

    public static readonly CacheInvalidation All = new(CacheInvalidationKind.All, "");

    /// <summary>Whether it covers <paramref name="key"/>; a tag is not part of a key, so a tag covers every key (erring on the safe side).</summary>
    public bool Covers(CacheKey key) => Kind switch
    {
        CacheInvalidationKind.Path => key.Path == Value,
        CacheInvalidationKind.Prefix => key.Value.StartsWith(Value, StringComparison.Ordinal),
        CacheInvalidationKind.Key => key.Value == Value,
        _ => true,
    };

    /// <summary>As sent to the other API processes: <c>kind</c>, a newline, the value.</summary>
    public string Serialize() => $"{Kind}\n{Value}";

    public static CacheInvalidation? Deserialize(string? message) =>
        message?.Split('\n', 2) is [var kind, var value] && Enum.TryParse<CacheInvalidationKind>(kind, out var parsed)
            ? new CacheInvalidation(parsed, value)
            : null;

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Value}";
}

internal enum CacheInvalidationKind
{
    Path,
    Tag,
    Prefix,
    Key,
    All,
}
