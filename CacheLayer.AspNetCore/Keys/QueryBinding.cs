using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// Which query parameters a minimal-API handler binds, worked out from its parameters as minimal APIs
/// bind them: <c>[FromQuery(Name = …)]</c> gives the name; other binding attributes, special types
/// (<see cref="HttpContext"/>, <see cref="CancellationToken"/>, …) and route parameters are not query;
/// any other parameter of a simple type (string, primitives, enums, <see cref="Guid"/>, dates, types
/// with a static <c>TryParse</c>, nullable or arrays of these) is; <c>[AsParameters]</c> types are
/// looked into. A handler that takes <see cref="HttpContext"/> or <see cref="HttpRequest"/> (or a type
/// with <c>BindAsync</c>) may read any query parameter: <see cref="ReadsRequest"/>.
/// </summary>
/// <param name="Names">The bound query names as declared, distinct ignoring case.</param>
/// <param name="ReadsRequest">The handler can read the request itself, so its query reads cannot be known.</param>
internal sealed record QueryBinding(IReadOnlyList<string> Names, bool ReadsRequest)
{
    /// <summary>The bound query parameters with the type each value is parsed as (the first of a name wins).</summary>
    public IReadOnlyList<BoundValue> Query { get; private init; } = [];

    /// <summary>The parameters bound from request headers (<c>[FromHeader]</c>), with their header names.</summary>
    public IReadOnlyList<BoundValue> Headers { get; private init; } = [];

    /// <summary>The parameters bound from route values, by route parameter name.</summary>
    public IReadOnlyList<BoundValue> Route { get; private init; } = [];

    private static readonly HashSet<Type> SimpleTypes =
    [
        typeof(string), typeof(decimal), typeof(Guid), typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly),
        typeof(TimeOnly), typeof(TimeSpan), typeof(Uri), typeof(StringValues),
    ];

    private static readonly HashSet<Type> SpecialTypes =
    [
        typeof(CancellationToken), typeof(ClaimsPrincipal), typeof(HttpResponse), typeof(IFormFile),
        typeof(IFormFileCollection), typeof(IFormCollection), typeof(Stream), typeof(PipeReader), typeof(IServiceProvider),
    ];

    /// <summary>The query parameters <paramref name="handler"/> binds; <paramref name="routeParameters"/> are bound from the route.</summary>
    /// <remarks>
    /// For an MVC action (<paramref name="controllerAction"/>), a complex parameter without a binding attribute
    /// binds its properties from the route and query, as MVC's model binding does: they are looked into.
    /// </remarks>
    public static QueryBinding Of(MethodInfo handler, IEnumerable<string> routeParameters, bool controllerAction = false) =>
        Of(handler, routeParameters, controllerAction, []);

    /// <summary>
    /// The same, with a controller's bound properties (<c>[BindProperty(SupportsGet = true)]</c>, <c>[FromQuery]</c> on a
    /// property, …) read as parameters of the action.
    /// </summary>
    public static QueryBinding Of(MethodInfo handler, IEnumerable<string> routeParameters, bool controllerAction, IEnumerable<PropertyInfo> boundProperties)
    {
        var route = new HashSet<string>(routeParameters, StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        var query = new List<BoundValue>();
        var headers = new List<BoundValue>();
        var routeValues = new List<BoundValue>();
        var readsRequest = false;
        foreach (var parameter in handler.GetParameters())
        {
            Add(parameter.Name, parameter.ParameterType, parameter.GetCustomAttributes(inherit: true), depth: 0);
        }
        foreach (var property in boundProperties)
        {
            Add(property.Name, property.PropertyType, property.GetCustomAttributes(inherit: true), depth: 0);
        }
        return new QueryBinding(names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), readsRequest)
        {
            Query = [.. query.DistinctBy(value => value.Name, StringComparer.OrdinalIgnoreCase)],
            Headers = [.. headers.DistinctBy(value => value.Name, StringComparer.OrdinalIgnoreCase)],
            Route = [.. routeValues.DistinctBy(value => value.Name, StringComparer.OrdinalIgnoreCase)],
        };

        void Add(string? name, Type type, object[] attributes, int depth)
        {
            if (attributes.OfType<IModelNameProvider>().FirstOrDefault()?.Name is { Length: > 0 } modelName)
            {
                name = modelName; // [BindProperty(Name = …)], [FromQuery(Name = …)] in MVC
            }
            var simple = IsSimple(type.IsArray ? type.GetElementType()! : type);
            if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } fromQuery)
            {
                if (!simple && depth == 0)
                {
                    // MVC's [FromQuery] on a complex type binds its properties from the query.
                    AddMembers(type, depth);
                }
                else if ((fromQuery.Name ?? name) is { Length: > 0 } queryName)
                {
                    names.Add(queryName);
                    query.Add(new BoundValue(queryName, type));
                }
                return;
            }
            if (attributes.OfType<IFromHeaderMetadata>().FirstOrDefault() is { } fromHeader)
            {
                if ((fromHeader.Name ?? name) is { Length: > 0 } headerName)
                {
                    headers.Add(new BoundValue(headerName, type));
                }
                return;
            }
            if (attributes.OfType<IFromRouteMetadata>().FirstOrDefault() is { } fromRoute)
            {
                if ((fromRoute.Name ?? name) is { Length: > 0 } routeName)
                {
                    routeValues.Add(new BoundValue(routeName, type));
                }
                return;
            }
            if (attributes.Any(attribute => attribute is IFromBodyMetadata or IFromServiceMetadata
                    or IFromFormMetadata or FromKeyedServicesAttribute))
            {
                return;
            }
            if (attributes.OfType<AsParametersAttribute>().Any())
            {
                AddMembers(type, depth);
                return;
            }
            if (type == typeof(HttpContext) || type == typeof(HttpRequest) || HasStatic(type, "BindAsync"))
            {
                readsRequest = true;
                return;
            }
            if (SpecialTypes.Contains(type) || name is null)
            {
                return;
            }
            if (route.Contains(name))
            {
                routeValues.Add(new BoundValue(name, type));
                return;
            }
            if (simple)
            {
                names.Add(name);
                query.Add(new BoundValue(name, type));
            }
            else if (controllerAction && depth == 0 && type.IsClass)
            {
                AddMembers(type, depth);
            }
        }

        void AddMembers(Type type, int depth)
        {
            foreach (var (memberName, memberType, memberAttributes) in MembersOf(type))
            {
                Add(memberName, memberType, memberAttributes, depth + 1);
            }
        }
    }

    /// <summary>A value the handler binds: its name where it is read from, and the type it is parsed as.</summary>
    internal sealed record BoundValue(string Name, Type Type)
    {
        public ValueCanonicalizer Canonicalizer { get; } = ValueCanonicalizer.For(Type);
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || SimpleTypes.Contains(type) || HasStatic(type, "TryParse") || IsParsable(type);
    }

    // Trimming: a type minimal APIs bind with TryParse or BindAsync has that method referenced by the
    // binding code itself (the request delegate generator calls it directly), so it is kept wherever it
    // matters; without the generator, minimal APIs bind by reflection and the host is not trimmed.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "See above: binding references the members looked for.")]
    private static bool HasStatic(Type type, string method) =>
        type.GetMember(method, MemberTypes.Method, BindingFlags.Public | BindingFlags.Static).Length > 0;

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "See HasStatic: the interface is kept where binding uses it.")]
    private static bool IsParsable(Type type) =>
        type.GetInterfaces().Any(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IParsable<>));

    /// <summary>
    /// An <c>[AsParameters]</c> type's constructor parameters (with the attributes of the property of the
    /// same name, as records put them there) and its settable properties.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The generated binding code constructs the type and sets these members, so they are kept.")]
    private static IEnumerable<(string? Name, Type Type, object[] Attributes)> MembersOf(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var constructor = type.GetConstructors().OrderByDescending(candidate => candidate.GetParameters().Length).FirstOrDefault();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in constructor?.GetParameters() ?? [])
        {
            var property = properties.FirstOrDefault(candidate => string.Equals(candidate.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            seen.Add(parameter.Name ?? "");
            yield return (parameter.Name, parameter.ParameterType,
                [.. parameter.GetCustomAttributes(inherit: true), .. property?.GetCustomAttributes(inherit: true) ?? []]);
        }
        foreach (var property in properties)
        {
            if (property.SetMethod is { IsPublic: true } && !seen.Contains(property.Name))
            {
                yield return (property.Name, property.PropertyType, property.GetCustomAttributes(inherit: true));
            }
        }
    }
}
