using System.Text;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// The query part of a cache key: only the parameters an endpoint reads (<see cref="CacheKeyQueryNames"/>),
/// each under its declared name in ASCII lower case, never the client's spelling; names sorted, values
/// escaped and kept in order. Parameters the endpoint does not read, and the <c>nocache</c> switch, add nothing.
/// </summary>
internal static class CacheKeyQuery
{
    public const string BypassParameter = "nocache";

    public static string From(IQueryCollection query, CacheKeyQueryNames names) =>
        TryFrom(query, names, out var key) ? key : throw new FormatException("A bound query value does not parse for its parameter's type.");

    /// <summary>
    /// The query part of the key; false when a bound parameter's value does not parse for its type (the app
    /// answers such a request with a 400, which is neither looked up nor stored).
    /// </summary>
    public static bool TryFrom(IQueryCollection query, CacheKeyQueryNames names, out string key)
    {
        if (query.Count == 0 || (query.Count == 1 && query.ContainsKey(BypassParameter)))
        {
            key = "";
            return true;
        }
        if (names.All)
        {
            key = FromAll(query);
            return true;
        }
        return TryFromNames(query, names, out key);
    }

    /// <summary>Only the declared names, looked up as binding does (ordinal, ignoring case), each value in its type's canonical form.</summary>
    private static bool TryFromNames(IQueryCollection query, CacheKeyQueryNames names, out string key)
    {
        // A loop without a builder for the usual one bound value (this runs on every hit with a query).
        string? single = null;
        StringBuilder? builder = null;
        for (var i = 0; i < names.Names.Count; i++)
        {
            var (name, keyName) = names.Names[i];
            if (!query.TryGetValue(name, out var values))
            {
                continue;
            }
            foreach (var value in values)
            {
                if (!names.Canonicalizers[i].TryCanonicalize(value ?? "", out var canonical))
                {
                    key = "";
                    return false;
                }
                var part = string.Concat(keyName, "=", Uri.EscapeDataString(canonical));
                if (single is null)
                {
                    single = part;
                }
                else
                {
                    (builder ??= new StringBuilder(single)).Append('&').Append(part);
                }
            }
        }
        key = builder?.ToString() ?? single ?? "";
        return true;
    }

    /// <summary>Every parameter (<c>varyByQuery: ["*"]</c>): names as sent, ASCII letters in lower case.</summary>
    private static string FromAll(IQueryCollection query)
    {
        var names = query.Keys
            .Where(name => !string.Equals(name, BypassParameter, StringComparison.OrdinalIgnoreCase))
            .Select(name => (Original: name, Lower: CacheKeyQueryNames.AsciiLower(name)))
            .OrderBy(name => name.Lower, StringComparer.Ordinal)
            .ThenBy(name => name.Original, StringComparer.Ordinal);

        var builder = new StringBuilder();
        foreach (var (original, lower) in names)
        {
            foreach (var value in query[original])
            {
                if (builder.Length > 0)
                {
                    builder.Append('&');
                }
                builder.Append(Uri.EscapeDataString(lower)).Append('=').Append(Uri.EscapeDataString(value ?? ""));
            }
        }
        return builder.ToString();
    }

    /// <summary>True for <c>?nocache=true</c> (any case): neither read nor write the cache.</summary>
    public static bool IsBypass(IQueryCollection query) =>
        query.TryGetValue(BypassParameter, out var values)
        && values.Any(value => bool.TryParse(value, out var bypass) && bypass);
}

/// <summary>
/// The query parameters that split one endpoint's keys: those its handler binds plus those declared with
/// <c>varyByQuery</c>, or <see cref="All"/> for <c>"*"</c>. Names are matched ignoring case, as binding
/// matches them, and written in keys in ASCII lower case (never <c>ToLowerInvariant</c>, which would turn
/// the Kelvin sign into <c>k</c> and merge names binding tells apart).
/// </summary>
internal sealed class CacheKeyQueryNames
{
    public const string Wildcard = "*";

    /// <summary>No parameter splits the key.</summary>
    public static readonly CacheKeyQueryNames None = new([], all: false);

    private CacheKeyQueryNames(IReadOnlyList<(string Name, string KeyName)> names, bool all, IReadOnlyList<ValueCanonicalizer>? canonicalizers = null)
    {
        Names = names;
        All = all;
        Canonicalizers = canonicalizers ?? [.. names.Select(_ => ValueCanonicalizer.AsSent)];
    }

    /// <summary>How each of <see cref="Names"/> is parsed and written: by the type its parameter binds it as.</summary>
    public IReadOnlyList<ValueCanonicalizer> Canonicalizers { get; }

    /// <summary>The names looked up, with their key spelling (escaped), sorted by it.</summary>
    public IReadOnlyList<(string Name, string KeyName)> Names { get; }

    /// <summary>Every parameter the client sends splits the key.</summary>
    public bool All { get; }

    public static CacheKeyQueryNames Of(IEnumerable<string> bound, IReadOnlyList<string>? declared) =>
        Of(bound.Select(name => (name, ValueCanonicalizer.AsSent)), declared);

    /// <summary>The bound parameters, each keyed in its type's canonical form, and the declared ones as sent.</summary>
    public static CacheKeyQueryNames OfBound(IEnumerable<QueryBinding.BoundValue> bound, IReadOnlyList<string>? declared) =>
        Of(bound.Select(value => (value.Name, value.Canonicalizer)), declared);

    private static CacheKeyQueryNames Of(IEnumerable<(string Name, ValueCanonicalizer Canonicalizer)> bound, IReadOnlyList<string>? declared)
    {
        if (declared?.Contains(Wildcard) == true)
        {
            return new([], all: true);
        }
        var names = bound.Concat((declared ?? []).Select(name => (Name: name, Canonicalizer: ValueCanonicalizer.AsSent)))
            .Where(pair => pair.Name.Length > 0 && !string.Equals(pair.Name, CacheKeyQuery.BypassParameter, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(pair => pair.Name, StringComparer.OrdinalIgnoreCase)
            .Select(pair => (pair.Name, KeyName: AsciiLower(pair.Name), pair.Canonicalizer))
            .OrderBy(pair => pair.KeyName, StringComparer.Ordinal)
            .ToArray();
        // Key names escaped once here rather than on every request.
        return names.Length == 0
            ? None
            : new([.. names.Select(pair => (pair.Name, Uri.EscapeDataString(pair.KeyName)))], all: false, [.. names.Select(pair => pair.Canonicalizer)]);
    }

    /// <summary><paramref name="text"/> with A-Z in lower case and every other character as it is.</summary>
    public static string AsciiLower(string text)
    {
        if (!text.Any(char.IsAsciiLetterUpper))
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });
    }
}
