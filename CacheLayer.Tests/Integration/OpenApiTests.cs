using System.Net;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

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
    public async Task Outside_development_neither_the_document_nor_the_reference_is_served()
    {
        using var production = Api.WithWebHostBuilder(builder => builder.UseEnvironment("Production"));
        using var client = production.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        using var document = await client.GetAsync("/openapi/v1.json");
        using var reference = await client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
    }

    [Fact]
    public async Task A_browsable_reference_is_served_in_development()
    {
        using var response = await Client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
