using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// What <c>CacheResponse</c> and <c>InvalidatesCache</c> add to their endpoint's OpenAPI operation. Each
/// is an operation transformer in the endpoint's own metadata, so a host that calls <c>AddOpenApi()</c>
/// documents the cache with nothing to register, in every document the endpoint is in.
/// </summary>
internal static class CacheOpenApi
{
    private const string NotModified = "304";

    /// <summary>The four headers every cached response may carry, defined once in the document's components and referenced.</summary>
    private static readonly (string Name, string Description, Func<OpenApiSchema> Schema)[] CacheResponseHeaders =
    [
        (CacheHeaders.XCache,
            "How the cache answered: `HIT` (a stored copy), `MISS` (the origin), `BYPASS` (the cache was not used), "
            + "`STALE` (an expired copy, while the origin is slow or failing, or being refreshed).",
            () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. new[] { "HIT", "MISS", "BYPASS", "STALE" }.Select(value => (JsonNode)value)] }),
        (CacheHeaders.CacheStatus,
            "RFC 9211 cache status, e.g. `CacheLayer; hit; ttl=117` or `CacheLayer; fwd=miss; stored`.",
            () => new OpenApiSchema { Type = JsonSchemaType.String }),
        ("ETag",
            "Strong validator of the body; send it in `If-None-Match` to get a 304 while it is current.",
            () => new OpenApiSchema { Type = JsonSchemaType.String }),
        ("Age",
            "Seconds since the copy was stored; on `HIT` and `STALE` only.",
            () => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" }),
    ];

    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Cached(Func<IServiceProvider, CachePolicy> policyOf) =>
        (operation, context, _) =>
        {
            DescribeCached(operation, policyOf(context.ApplicationServices), context.Document);
            return Task.CompletedTask;
        };

    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Invalidates(string what) =>
        (operation, _, _) =>
        {
            AppendDescription(operation, $"On success (2xx), invalidates {what} before its response is sent.");
            return Task.CompletedTask;
        };

    private static void DescribeCached(OpenApiOperation operation, CachePolicy policy, OpenApiDocument? document)
    {
        AppendDescription(operation, CachedSummary(policy));

        operation.Parameters ??= [];
        if (!operation.Parameters.Any(parameter => parameter.In == ParameterLocation.Query
            && string.Equals(parameter.Name, CacheKeyQuery.BypassParameter, StringComparison.OrdinalIgnoreCase)))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = CacheKeyQuery.BypassParameter,
                In = ParameterLocation.Query,
                Description = "`true` bypasses the cache: the origin answers, nothing is read or stored (`X-Cache: BYPASS`).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            });
        }

        operation.Responses ??= [];
        if (operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
        {
            AddHeaders(okResponse, policy, document);
        }
        if (!operation.Responses.ContainsKey(NotModified))
        {
            var notModified = new OpenApiResponse
            {
                Description = "Not Modified: `If-None-Match` matched the cached response's `ETag`; no body.",
            };
            AddHeaders(notModified, policy, document);
            operation.Responses[NotModified] = notModified;
        }
    }

    private static string CachedSummary(CachePolicy policy)
    {
        var summary = $"Cached for {policy.TimeToLive.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        if (policy.VaryByUser)
        {
            summary += ", per user";
        }
        if (policy.VaryByHeaders.Count > 0)
        {
            summary += $", by {policy.VaryHeader}";
        }
        if (policy.Tags.Count > 0)
        {
            summary += $" (tags: {string.Join(", ", policy.Tags)})";
        }
        return summary + ". `X-Cache` and `Cache-Status` say how a response was answered; "
            + "`?nocache=true` bypasses the cache; `If-None-Match` with the `ETag` gets a 304.";
    }

    private static void AddHeaders(OpenApiResponse response, CachePolicy policy, OpenApiDocument? document)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, description, schema) in CacheResponseHeaders)
        {
            if (document is null)
            {
                response.Headers.TryAdd(name, Header(description, schema()));
                continue;
            }
            document.Components ??= new OpenApiComponents();
            document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
            document.Components.Headers.TryAdd(name, Header(description, schema()));
            response.Headers.TryAdd(name, new OpenApiHeaderReference(name, document));
        }
        if (policy.VaryByHeaders.Count > 0)
        {
            var vary = Header("The request headers that select the cached variant.", new OpenApiSchema { Type = JsonSchemaType.String });
            vary.Example = policy.VaryHeader;
            response.Headers.TryAdd("Vary", vary);
        }
    }

    private static OpenApiHeader Header(string description, OpenApiSchema schema) => new() { Description = description, Schema = schema };

    private static void AppendDescription(OpenApiOperation operation, string text) =>
        operation.Description = string.IsNullOrEmpty(operation.Description) ? text : operation.Description + "\n\n" + text;
}
