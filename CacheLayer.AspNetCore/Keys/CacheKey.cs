namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// A cache key, <c>METHOD:path?query|vary</c>, e.g. <c>GET:/api/posts/?page=2|accept-language=fr</c>.
/// <see cref="Path"/> is the key without query or variant: invalidating it removes every variant.
/// </summary>
internal readonly record struct CacheKey
{
    public const char VarySeparator = '|';

    public CacheKey(string path, string query, string vary = "")
    {
        Path = path;
        // Built once: the hit path uses it several times.
        Value = (query.Length, vary.Length) switch
        {
            (0, 0) => path,
            (_, 0) => $"{path}?{query}",
            (0, _) => $"{path}{VarySeparator}{vary}",
            _ => $"{path}?{query}{VarySeparator}{vary}",
        };
    }

    public string Path { get; }

    public string Value { get; }

    /// <summary>The path part of a key given as text (an admin's, or one read back from Redis).</summary>
    public static string PathOf(string key) => key.Split(['?', VarySeparator], 2)[0];

    public override string ToString() => Value;
}
