using System.Globalization;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// What a write endpoint invalidates when it succeeds: its key templates, each parameter filled from the
/// request's route value or the query or header value the handler binds of that name (in the type's canonical
/// form, so <c>PUT /items/01</c> invalidates <c>GET:/items/1</c>), and its tags. Checked when built: a template
/// parameter that nothing fills stops the app.
/// </summary>
internal sealed class EndpointInvalidations
{
    private readonly (CacheKeyTemplate Template, IReadOnlyList<string> Parameters)[] _templates;
    private readonly CacheInvalidation[] _tags;
    private readonly Dictionary<string, (ValueSource Source, string Name, ValueCanonicalizer Canonicalizer)> _values;

    private enum ValueSource
    {
        Route,
        Query,
        Header,
    }

    public EndpointInvalidations(string endpoint, RoutePattern? pattern, QueryBinding? binding, IEnumerable<string> templates, IEnumerable<string> tags)
    {
        Route = pattern?.RawText ?? endpoint;
        _tags = [.. tags.Distinct(StringComparer.Ordinal).Select(CacheInvalidation.Tag)];
        _values = new(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in pattern?.Parameters ?? [])
        {
            var bound = binding?.Route.FirstOrDefault(value => string.Equals(value.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            _values[parameter.Name] = (ValueSource.Route, parameter.Name, bound?.Canonicalizer ?? ValueCanonicalizer.AsSent);
        }
        foreach (var query in binding?.Query ?? [])
        {
            _values.TryAdd(query.Name, (ValueSource.Query, query.Name, query.Canonicalizer));
        }
        foreach (var header in binding?.Headers ?? [])
        {
            _values.TryAdd(header.Name, (ValueSource.Header, header.Name, header.Canonicalizer));
        }
        _templates = [.. templates.Distinct(StringComparer.Ordinal).Select(text => (CacheKeyTemplate.Parse(text), ParametersOf(text)))];
        foreach (var (template, parameters) in _templates)
        {
            if (parameters.FirstOrDefault(name => !_values.ContainsKey(name)) is { } missing)
            {
                throw new InvalidOperationException(
                    $"The endpoint '{endpoint}' invalidates '{template.Text}', but nothing fills its parameter '{missing}': it is neither a " +
                    "route parameter of the endpoint nor a query or header parameter its handler binds. Name one of those in the template.");
            }
        }
    }

    /// <summary>The route template, the <c>http.route</c> tag of the invalidation counter.</summary>
    public string Route { get; }

    /// <summary>What this request invalidates, its values read from the request.</summary>
    public IEnumerable<CacheInvalidation> For(HttpContext context)
    {
        foreach (var (template, _) in _templates)
        {
            yield return CacheInvalidation.Path(template.FillPath(name => Value(context.Request, name)));
        }
        foreach (var tag in _tags)
        {
            yield return tag;
        }
    }

    private string Value(HttpRequest request, string name)
    {
        var (source, key, canonicalizer) = _values[name];
        var raw = source switch
        {
            ValueSource.Route => request.RouteValues[key] switch
            {
                null => "",
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                var value => value.ToString() ?? "",
            },
            ValueSource.Query => request.Query[key].ToString(),
            _ => request.Headers[key].ToString(),
        };
        return canonicalizer.TryCanonicalize(raw, out var canonical) ? canonical : raw;
    }

    private static IReadOnlyList<string> ParametersOf(string template) =>
        [.. RoutePatternFactory.Parse(template[(template.IndexOf(':') + 1)..]).Parameters.Select(parameter => parameter.Name)];
}
