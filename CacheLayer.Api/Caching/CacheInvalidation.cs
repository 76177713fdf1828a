namespace CacheLayer.Api.Caching;

/// <summary>What to invalidate: one path with all its variants, every entry with a tag, or every key with a prefix.</summary>
public readonly record struct CacheInvalidation(CacheInvalidationKind Kind, string Value)
{
    public static CacheInvalidation Path(string path) => new(CacheInvalidationKind.Path, path);

    public static CacheInvalidation Tag(string tag) => new(CacheInvalidationKind.Tag, tag);

    public static CacheInvalidation Prefix(string prefix) => new(CacheInvalidationKind.Prefix, prefix);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Value}";
}

public enum CacheInvalidationKind
{
    Path,
    Tag,
    Prefix,
}
