using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// The key shape of one route, e.g. <c>GET:/api/users/{id}</c>. Literal segments come from the
/// route pattern in lower case, so request casing and a trailing slash never split keys;
/// parameters are filled from the handler's bound arguments (so <c>01</c> and <c>1</c> agree).
/// </summary>
internal sealed class CacheKeyTemplate
{
    private readonly string _method;
    private readonly object[] _parts; // Separator, string literal or RouteParameter
    private readonly bool _trailingSlash;

    private CacheKeyTemplate(string method, IReadOnlyList<object> parts, bool trailingSlash)
    {
        _method = method;
        _parts = [.. parts];
        _trailingSlash = trailingSlash;
        if (!parts.OfType<RouteParameter>().Any())
        {
            FixedPath = Render<object?>(null, static (_, _) => "");
        }
    }

    /// <summary>The key path of a template without parameters (e.g. <c>GET:/api/posts/</c>), built once; else null.</summary>
    public string? FixedPath { get; }

    /// <summary>The template as written in keys, e.g. <c>GET:/api/users/{id}</c>.</summary>
    public string Text => Render<object?>(null, static (_, name) => "{" + name + "}");

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
                    // A conventional route's controller, action or area is fixed for the endpoint: a literal, in lower case like the others.
                    RoutePatternParameterPart parameter when pattern.RequiredValues.TryGetValue(parameter.Name, out var required)
                        && !ReferenceEquals(required, RoutePattern.RequiredValueAny) && required is string { Length: > 0 } fixedValue => fixedValue.ToLowerInvariant(),
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

    /// <summary>The key path (no query) with each parameter taken from <paramref name="valueOf"/>.</summary>
    public string FillPath(Func<string, object?> valueOf) =>
        FillPath(valueOf, static (lookup, name) => lookup(name));

    /// <summary>The same, with the values looked up in <paramref name="state"/>: no closure per request on the hit path.</summary>
    public string FillPath<TState>(TState state, Func<TState, string, object?> valueOf) =>
        Render((State: state, ValueOf: valueOf), static (lookup, name) => Uri.EscapeDataString(Format(lookup.ValueOf(lookup.State, name))));

    /// <summary><c>METHOD:</c> and the path, with each parameter replaced by <paramref name="parameter"/>.</summary>
    private string Render<TState>(TState state, Func<TState, string, string> parameter)
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        text.AppendLiteral(_method);
        text.AppendLiteral(":");
        var empty = true;
        foreach (var part in _parts)
        {
            empty = false;
            text.AppendLiteral(part switch
            {
                Separator => "/",
                RouteParameter p => parameter(state, p.Name),
                string literal => literal,
                _ => "",
            });
        }
        if (empty || _trailingSlash)
        {
            text.AppendLiteral("/");
        }
        return text.ToStringAndClear();
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
