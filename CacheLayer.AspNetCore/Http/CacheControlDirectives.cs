using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// The directives of a <c>Cache-Control</c> (or <c>CDN-Cache-Control</c>) field, parsed as RFC 9111 §5.2 says a
/// recipient should: names case-insensitive, values as tokens or quoted strings, the first of duplicate
/// directives counted, unknown directives kept but meaning nothing.
/// </summary>
internal sealed class CacheControlDirectives
{
    public static readonly CacheControlDirectives Empty = new([]);

    private readonly List<(string Name, string? Value)> _directives;

    private CacheControlDirectives(List<(string Name, string? Value)> directives) => _directives = directives;

    public bool IsEmpty => _directives.Count == 0;

    public static CacheControlDirectives Parse(StringValues fields)
    {
        if (fields.Count == 0)
        {
            return Empty;
        }
        var directives = new List<(string, string?)>();
        foreach (var field in fields)
        {
            if (!string.IsNullOrEmpty(field))
            {
                ParseField(field, directives);
            }
        }
        return directives.Count == 0 ? Empty : new CacheControlDirectives(directives);
    }

    public bool Has(string name)
    {
        foreach (var (directive, _) in _directives)
        {
            if (string.Equals(directive, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The directive's value (null when present without one); false when absent.</summary>
    public bool TryGet(string name, out string? value)
    {
        foreach (var (directive, found) in _directives)
        {
            if (string.Equals(directive, name, StringComparison.OrdinalIgnoreCase))
            {
                value = found;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>
    /// A delta-seconds directive (<c>max-age</c>, <c>s-maxage</c>, …): null when absent; <see cref="TimeSpan.Zero"/> when
    /// present with a value that is not a non-negative integer (an invalid freshness is no freshness, RFC 9111 §4.2.1).
    /// Values past 2^31 seconds count as 2^31.
    /// </summary>
    public TimeSpan? Seconds(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }
        return ParseDeltaSeconds(value) is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
    }

    /// <summary>Whether the directive is present with a valid delta-seconds value.</summary>
    public bool HasValidSeconds(string name) => TryGet(name, out var value) && ParseDeltaSeconds(value) is not null;

    public static long? ParseDeltaSeconds(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
        }
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < int.MaxValue
            ? seconds
            : int.MaxValue + 1L;
    }

    private static void ParseField(string field, List<(string, string?)> directives)
    {
        var i = 0;
        while (i < field.Length)
        {
            while (i < field.Length && (field[i] is ',' or ' ' or '\t'))
            {
                i++;
            }
            var nameStart = i;
            while (i < field.Length && field[i] is not ('=' or ',' or ' ' or '\t'))
            {
                i++;
            }
            var name = field[nameStart..i];
            string? value = null;
            // No whitespace around '=': "max-age =60" is no max-age (RFC 9110 §5.6.2's grammar).
            if (i < field.Length && field[i] == '=')
            {
                i++;
                if (i < field.Length && field[i] == '"')
                {
                    var quoted = new System.Text.StringBuilder();
                    i++;
                    while (i < field.Length && field[i] != '"')
                    {
                        if (field[i] == '\\' && i + 1 < field.Length)
                        {
                            i++;
                        }
                        quoted.Append(field[i]);
                        i++;
                    }
                    i++;
                    value = quoted.ToString();
                }
                else
                {
                    var valueStart = i;
                    while (i < field.Length && field[i] is not (',' or ' ' or '\t'))
                    {
                        i++;
                    }
                    value = field[valueStart..i];
                }
            }
            // Anything up to the next comma is not part of this directive.
            while (i < field.Length && field[i] != ',')
            {
                i++;
            }
            if (name.Length > 0)
            {
                directives.Add((name, value));
            }
        }
    }
}
