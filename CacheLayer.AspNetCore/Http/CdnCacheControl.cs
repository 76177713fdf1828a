using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// <c>CDN-Cache-Control</c> (RFC 9213): a Structured Field dictionary. A field that does not parse as one, or
/// whose freshness directives are not integers, is ignored whole.
/// </summary>
internal static partial class CdnCacheControl
{
    public const string HeaderName = "CDN-Cache-Control";

    private static readonly string[] IntegerDirectives = ["max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"];

    public static CacheControlDirectives Parse(StringValues fields)
    {
        if (fields.Count == 0)
        {
            return CacheControlDirectives.Empty;
        }
        foreach (var field in fields)
        {
            foreach (var member in SplitMembers(field ?? ""))
            {
                var match = Member().Match(member);
                if (!match.Success)
                {
                    return CacheControlDirectives.Empty;
                }
                if (match.Groups["value"].Success && IntegerDirectives.Contains(match.Groups["key"].Value)
                    && !Integer().IsMatch(match.Groups["value"].Value))
                {
                    return CacheControlDirectives.Empty;
                }
            }
        }
        return CacheControlDirectives.Parse(fields);
    }

    private static IEnumerable<string> SplitMembers(string field)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '"' && (i == 0 || field[i - 1] != '\\'))
            {
                quoted = !quoted;
            }
            else if (field[i] == ',' && !quoted)
            {
                yield return field[start..i].Trim(' ', '\t');
                start = i + 1;
            }
        }
        yield return field[start..].Trim(' ', '\t');
    }

    // key[=bare-item](;key[=bare-item])*: integers, decimals, strings, tokens, byte sequences, booleans.
    [GeneratedRegex("""^(?<key>[a-z*][a-z0-9_\-.*]*)(=(?<value>-?[0-9]{1,15}(\.[0-9]{1,3})?|"([^"\\]|\\.)*"|[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*|:[A-Za-z0-9+/=]*:|\?[01]))?(;[a-z*][a-z0-9_\-.*]*(=(-?[0-9]{1,15}(\.[0-9]{1,3})?|"([^"\\]|\\.)*"|[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*|:[A-Za-z0-9+/=]*:|\?[01]))?)*$""")]
    private static partial Regex Member();

    [GeneratedRegex("^-?[0-9]{1,15}$")]
    private static partial Regex Integer();
}
