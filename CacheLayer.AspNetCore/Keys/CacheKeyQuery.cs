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

    public static string From(IQueryCollection query, CacheKeyQueryNames names)
    {
        if (query.Count == 0 || (query.Count == 1 && query.ContainsKey(BypassParameter)))
        {
            return "";
        }
        return names.All ? FromAll(query) : FromNames(query, names.Names);
    }

    /// <summary>Only the declared names, looked up as binding does (ordinal, ignoring case).</summary>
    private static string FromNames(IQueryCollection query, IReadOnlyList<(string Name, string KeyName)> names)
    {
        // A loop without a builder for the usual one bound value (this runs on every hit with a query).
        string? single = null;
        StringBuilder? builder = null;
        foreach (var (name, keyName) in names)
        {
            if (!query.TryGetValue(name, out var values))
            {
                continue;
            }
            foreach (var value in values)
            {
                var part = string.Concat(keyName, "=", Uri.EscapeDataString(value ?? ""));
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
        return builder?.ToString() ?? single ?? "";
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

    private CacheKeyQueryNames(IReadOnlyList<(string Name, string KeyName)> names, bool all)
    {
        Names = names;
        All = all;
    }

    /// <summary>The names looked up, with their key spelling (escaped), sorted by it.</summary>
    public IReadOnlyList<(string Name, string KeyName)> Names { get; }

    /// <summary>Every parameter the client sends splits the key.</summary>
    public bool All { get; }

    public static CacheKeyQueryNames Of(IEnumerable<string> bound, IReadOnlyList<string>? declared)
    {
        if (declared?.Contains(Wildcard) == true)
        {
            return new([], all: true);
        }
        var names = bound.Concat(declared ?? [])
            .Where(name => name.Length > 0 && !string.Equals(name, CacheKeyQuery.BypassParameter, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name => (Name: name, KeyName: AsciiLower(name)))
            .OrderBy(pair => pair.KeyName, StringComparer.Ordinal)
            // Escaped once here rather than on every request.
            .Select(pair => (pair.Name, Uri.EscapeDataString(pair.KeyName)))
            .ToArray();
        return names.Length == 0 ? None : new(names, all: false);
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
