using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CacheLayer.Api.Caching;

/// <summary>
/// The key shape of one route, e.g. <c>GET:/api/users/{id}</c>. Literal segments come from the
/// route pattern in lower case, so request casing and a trailing slash never split keys;
/// parameters are filled from the handler's bound arguments (so <c>01</c> and <c>1</c> agree).
/// </summary>
public sealed class CacheKeyTemplate
{
    private readonly string _method;
    private readonly IReadOnlyList<object> _parts; // string literal or RouteParameter
    private readonly bool _trailingSlash;

    private CacheKeyTemplate(string method, IReadOnlyList<object> parts, bool trailingSlash)
    {
        _method = method;
        _parts = parts;
        _trailingSlash = trailingSlash;
        if (!parts.OfType<RouteParameter>().Any())
        {
            FixedPath = method + ":" + Render(_ => "");
        }
    }

    /// <summary>The key path of a template without parameters (e.g. <c>GET:/api/posts/</c>), built once; else null.</summary>
    public string? FixedPath { get; }

    /// <summary>The template as written in keys, e.g. <c>GET:/api/users/{id}</c>.</summary>
    public string Text => _method + ":" + Render(name => "{" + name + "}");

    public static CacheKeyTemplate FromRoute(string method, RoutePattern pattern)
    {
        var parts = new List<object>();
        foreach (var segment in pattern.PathSegments)
        {
            parts.Add(Separator.Instance);
            foreach (var part in segment.Parts)
            {
                parts.Add(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content.ToLowerInvariant(),
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => new RouteParameter(parameter.Name),
                    _ => throw new NotSupportedException($"Unsupported route part {part.GetType().Name}."),
                });
            }
        }
        var trailingSlash = pattern.PathSegments.Count > 0 && (pattern.RawText?.EndsWith('/') ?? false);
        return new CacheKeyTemplate(method.ToUpperInvariant(), parts, trailingSlash);
    }

    /// <summary>Parses <c>METHOD:/route/{param}</c> as given to <c>InvalidatesCache</c>.</summary>
    public static CacheKeyTemplate Parse(string template)
    {
        var colon = template.IndexOf(':');
        if (colon <= 0 || colon == template.Length - 1 || template[colon + 1] != '/')
        {
            throw new FormatException($"Cache key template '{template}' must look like 'GET:/route/{{param}}'.");
        }
        return FromRoute(template[..colon], RoutePatternFactory.Parse(template[(colon + 1)..]));
    }

    /// <summary>The parameter names the template needs.</summary>
    public IEnumerable<string> ParameterNames => _parts.OfType<RouteParameter>().Select(p => p.Name);

    /// <summary>The key path (no query) with each parameter taken from <paramref name="valueOf"/>.</summary>
    public string FillPath(Func<string, object?> valueOf) =>
        _method + ":" + Render(name => Uri.EscapeDataString(Format(valueOf(name))));

    private string Render(Func<string, string> parameter)
    {
        var builder = new StringBuilder();
        foreach (var part in _parts)
        {
            builder.Append(part switch
            {
                Separator => "/",
                RouteParameter p => parameter(p.Name),
                string literal => literal,
                _ => "",
            });
        }
        if (builder.Length == 0 || _trailingSlash)
        {
            builder.Append('/');
        }
        return builder.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private sealed record RouteParameter(string Name);

    private sealed class Separator
    {
        public static readonly Separator Instance = new();
    }
}
