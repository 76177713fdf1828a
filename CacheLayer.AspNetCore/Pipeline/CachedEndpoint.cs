using System.Globalization;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// One cached endpoint as the middleware serves it, worked out once from its metadata: the policy, the stale
/// rules, the <c>http.route</c> tag, and how a request becomes a key (route values and bound query and header
/// values, each in its parameter type's canonical form, then the declared headers and the user).
/// </summary>
internal sealed class CachedEndpoint
{
    private readonly CacheKeyTemplate _template;
    private readonly Dictionary<string, ValueCanonicalizer> _routeValues;
    private readonly QueryBinding.BoundValue[] _headers;
    private readonly CacheKeyQueryNames _query;

    public CachedEndpoint(Endpoint endpoint, RoutePattern pattern, CachePolicy declared, QueryBinding binding, CacheLayerOptions options)
    {
        Endpoint = endpoint;
        Route = pattern.RawText ?? endpoint.DisplayName ?? "(unrouted)";
        _template = CacheKeyTemplate.FromRoute(HttpMethods.Get, pattern);
        _routeValues = binding.Route.ToDictionary(value => value.Name, value => value.Canonicalizer, StringComparer.OrdinalIgnoreCase);
        _headers = [.. binding.Headers];
        _query = CacheKeyQueryNames.OfBound(binding.Query, declared.VaryByQuery);
        // Header-bound parameters are variants like declared headers, keyed by their parsed value as sent.
        Policy = declared;
        if (_headers.Length > 0)
        {
            IReadOnlyList<CacheVaryByHeader> headers = [.. declared.VaryByHeaders, .. _headers
                .Where(bound => !declared.VaryByHeaders.Any(header => string.Equals(header.Name, bound.Name, StringComparison.OrdinalIgnoreCase)))
                .Select(bound => CacheVaryByHeader.Bound(bound.Name, bound.Canonicalizer))];
            Policy = new CachePolicy(declared.TimeToLive, declared.Tags, headers, declared.VaryByUser, declared.VaryByQuery, declared.Stale);
        }
        Stale = StaleRules.Of(Policy, options);
    }

    public Endpoint Endpoint { get; }

    /// <summary>The route template, the <c>http.route</c> tag of every metric.</summary>
    public string Route { get; }

    public CachePolicy Policy { get; }

    public StaleRules Stale { get; }

    /// <summary>
    /// The request's key; false when a value the handler binds does not parse for its type (the app answers
    /// that with its own 400, which is neither looked up nor stored).
    /// </summary>
    public bool TryKey(HttpContext context, string userSalt, out CacheKey key)
    {
        key = default;
        var request = context.Request;
        string path;
        if (_template.FixedPath is { } fixedPath)
        {
            path = fixedPath;
        }
        else
        {
            foreach (var (name, canonicalizer) in _routeValues)
            {
                if (!canonicalizer.TryCanonicalize(RouteValue(request.RouteValues, name), out _))
                {
                    return false;
                }
            }
            path = _template.FillPath((Values: request.RouteValues, Endpoint: this), static (state, name) => state.Endpoint.Canonical(state.Values, name));
        }
        foreach (var header in _headers)
        {
            if (request.Headers.TryGetValue(header.Name, out var value) && !header.Canonicalizer.TryCanonicalize(value.ToString(), out _))
            {
                return false;
            }
        }
        if (!CacheKeyQuery.TryFrom(request.Query, _query, out var query))
        {
            return false;
        }
        key = new CacheKey(path, query, CacheKeyVary.From(context, Policy, userSalt));
        return true;
    }

    private string Canonical(RouteValueDictionary values, string name)
    {
        var raw = RouteValue(values, name);
        return _routeValues.TryGetValue(name, out var canonicalizer) && canonicalizer.TryCanonicalize(raw, out var canonical) ? canonical : raw;
    }

    private static string RouteValue(RouteValueDictionary values, string name) => values[name] switch
    {
        null => "",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "",
    };
}
