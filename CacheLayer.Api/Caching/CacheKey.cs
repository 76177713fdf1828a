namespace CacheLayer.Api.Caching;

/// <summary>
/// A cache key, <c>METHOD:path?query|vary</c>, e.g. <c>GET:/api/posts/?page=2|accept-language=fr</c>.
/// <see cref="Path"/> is the key without query or variant: invalidating it removes every variant.
/// </summary>
public readonly record struct CacheKey(string Path, string Query, string Vary = "")
{
    public const char VarySeparator = '|';

    public string Value => (Query.Length == 0 ? Path : $"{Path}?{Query}") + (Vary.Length == 0 ? "" : $"{VarySeparator}{Vary}");

    /// <summary>The path part of a key given as text (an admin's, or one read back from Redis).</summary>
    public static string PathOf(string key) => key.Split(['?', VarySeparator], 2)[0];

    public override string ToString() => Value;
}
