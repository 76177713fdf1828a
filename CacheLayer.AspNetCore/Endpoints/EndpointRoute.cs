using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>What the filters need to know of the endpoint they run on.</summary>
internal static class EndpointRoute
{
    /// <summary>The route template, the <c>http.route</c> tag of every cache metric.</summary>
    public static string TemplateOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unrouted)";

    /// <summary>
    /// Looks up a key parameter: the handler's bound argument of that name when there is one, so
    /// <c>/users/01</c> and <c>/users/1</c> give the same key, else the raw route value.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, string, object?> ArgumentLookup(MethodInfo handler)
    {
        var positions = handler.GetParameters()
            .Where(parameter => parameter.Name is not null)
            .ToDictionary(parameter => parameter.Name!, parameter => parameter.Position, StringComparer.OrdinalIgnoreCase);

        return (invocation, name) => positions.TryGetValue(name, out var position) && position < invocation.Arguments.Count
            ? invocation.Arguments[position]
            : invocation.HttpContext.Request.RouteValues[name];
    }
}
