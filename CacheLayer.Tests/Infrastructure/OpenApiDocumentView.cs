using System.Text.Json;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>An OpenAPI document as served, read the way a client generator would: header references resolved.</summary>
internal sealed class OpenApiDocumentView(JsonDocument document) : IDisposable
{
    public static async Task<OpenApiDocumentView> GetAsync(HttpClient client, string path = "/openapi/v1.json") =>
        new(JsonDocument.Parse(await client.GetStringAsync(path)));

    public JsonElement Operation(string path, string method) =>
        document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);

    public static string Description(JsonElement operation) =>
        operation.TryGetProperty("description", out var description) ? description.GetString() ?? "" : "";

    public static bool HasResponse(JsonElement operation, string status) =>
        operation.GetProperty("responses").TryGetProperty(status, out _);

    /// <summary>The named headers of a response, each resolved through <c>#/components/headers</c> when it is a reference.</summary>
    public IReadOnlyDictionary<string, JsonElement> ResponseHeaders(JsonElement operation, string status)
    {
        if (!operation.GetProperty("responses").GetProperty(status).TryGetProperty("headers", out var headers))
        {
            return new Dictionary<string, JsonElement>();
        }
        return headers.EnumerateObject().ToDictionary(header => header.Name, header => Resolve(header.Value), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The query parameters of an operation named <paramref name="name"/> (ignoring case).</summary>
    public static JsonElement[] QueryParameters(JsonElement operation, string name) =>
        operation.TryGetProperty("parameters", out var parameters)
            ? [.. parameters.EnumerateArray().Where(parameter =>
                parameter.GetProperty("in").GetString() == "query"
                && string.Equals(parameter.GetProperty("name").GetString(), name, StringComparison.OrdinalIgnoreCase))]
            : [];

    private JsonElement Resolve(JsonElement header)
    {
        if (!header.TryGetProperty("$ref", out var reference))
        {
            return header;
        }
        const string Prefix = "#/components/headers/";
        var target = reference.GetString()!;
        Assert.StartsWith(Prefix, target);
        return document.RootElement.GetProperty("components").GetProperty("headers").GetProperty(target[Prefix.Length..]);
    }

    public void Dispose() => document.Dispose();
}
