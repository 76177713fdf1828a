namespace CacheLayer.Api.Caching;

/// <summary>
/// A cache key, <c>METHOD:path?query</c>. <see cref="Path"/> is the key without its query:
/// invalidating it removes every query variant.
/// </summary>
public readonly record struct CacheKey(string Path, string Query)
{
    public string Value => Query.Length == 0 ? Path : $"{Path}?{Query}";

    public override string ToString() => Value;
}
