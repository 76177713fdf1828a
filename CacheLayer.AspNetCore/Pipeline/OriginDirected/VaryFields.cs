using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// What an origin's <c>Vary</c> selects (RFC 9111 §4.1): the request header values it names, compared after
/// joining lines with ", " and collapsing whitespace, and the key suffix of a variant built from them.
/// </summary>
internal static class VaryFields
{
    /// <summary>The names a <c>Vary</c> field lists, lower-cased; ["*"] when it has <c>*</c>.</summary>
    public static List<string> Names(StringValues vary)
    {
        var names = new List<string>();
        foreach (var field in vary)
        {
            foreach (var part in (field ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*")
                {
                    return ["*"];
                }
                var name = part.ToLowerInvariant();
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    /// <summary>The request header values <paramref name="varyNames"/> select.</summary>
    public static List<(string Name, string? Value)> Select(HttpRequest request, IReadOnlyList<string> varyNames)
    {
        var selected = new List<(string, string?)>(varyNames.Count);
        foreach (var name in varyNames)
        {
            selected.Add((name, request.Headers.TryGetValue(name, out var value) ? Normalize(value) : null));
        }
        return selected;
    }

    /// <summary>The key suffix of this request's variant: the selected values, in the response's <c>Vary</c> order.</summary>
    public static string VariantOf(List<(string Name, string? Value)> selected)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in selected)
        {
            builder.Append(name.ToLowerInvariant()).Append(value is null ? "!" : "=" + value).Append(';');
        }
        return builder.ToString();
    }

    /// <summary>A field value as variants compare it: lines joined with ", ", whitespace collapsed.</summary>
    public static string Normalize(StringValues value)
    {
        var joined = string.Join(", ", value.Select(part => part?.Trim()));
        return string.Join(' ', joined.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Replace(" ,", ",", StringComparison.Ordinal);
    }
}
