using System.Net;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class OpenApiTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task The_openapi_document_describes_every_api_route()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        foreach (var (path, method) in new[] { ("/api/users/{id}", "get"), ("/api/users/{id}", "put"), ("/api/posts", "get"), ("/api/posts", "post"), ("/api/posts", "head"), ("/api/cache", "delete"), ("/metrics/cache", "get"), ("/api/me", "get") })
        {
            Assert.True(paths.GetProperty(path).TryGetProperty(method, out _), $"{method} {path} is missing.");
        }
    }

    [Fact]
    public async Task A_browsable_reference_is_served_in_development()
    {
        using var response = await Client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
