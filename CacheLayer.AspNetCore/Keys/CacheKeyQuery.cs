using System.Text;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// The query part of a cache key: parameter names in lower case (binding ignores their case),
/// sorted, values escaped and kept in order; the <c>nocache</c> switch is left out.
/// </summary>
internal static class CacheKeyQuery
{
    public const string BypassParameter = "nocache";

    public static string From(IQueryCollection query)
    {
        if (query.Count == 0 || (query.Count == 1 && query.ContainsKey(BypassParameter)))
        {
            return "";
        }
        if (query.Count == 1)
        {
            // The common case, without sorting: one parameter with one value.
            foreach (var (name, values) in query)
            {
                if (values.Count == 1)
                {
                    return $"{Uri.EscapeDataString(name.ToLowerInvariant())}={Uri.EscapeDataString(values[0] ?? "")}";
                }
            }
        }

        var names = query.Keys
            .Where(name => !string.Equals(name, BypassParameter, StringComparison.OrdinalIgnoreCase))
            .Select(name => (Original: name, Lower: name.ToLowerInvariant()))
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
