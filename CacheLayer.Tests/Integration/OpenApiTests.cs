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

    private static readonly string[] CacheHeaders = ["X-Cache", "Cache-Status", "ETag", "Age"];

    [Theory]
    [InlineData("get")]
    [InlineData("head")]
    public async Task A_cached_route_documents_the_cache_headers_a_304_and_the_nocache_switch(string method)
    {
        using var document = await OpenApiDocumentView.GetAsync(Client);
        var operation = document.Operation("/api/users/{id}", method);

        var ok = document.ResponseHeaders(operation, "200");
        var notModified = document.ResponseHeaders(operation, "304");
        foreach (var header in CacheHeaders)
        {
            Assert.True(ok.ContainsKey(header), $"{header} is not documented on the 200.");
            Assert.True(notModified.ContainsKey(header), $"{header} is not documented on the 304.");
        }
        Assert.Equal(["HIT", "MISS", "BYPASS", "STALE"], ok["X-Cache"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(value => value.GetString()));
        Assert.Contains("If-None-Match", notModified["ETag"].GetProperty("description").GetString());
        var nocache = Assert.Single(OpenApiDocumentView.QueryParameters(operation, "nocache"));
        Assert.Equal("boolean", nocache.GetProperty("schema").GetProperty("type").GetString());
        Assert.Contains("Cached for 120 s (tags: users)", OpenApiDocumentView.Description(operation));
    }

    [Fact]
    public async Task The_documented_headers_are_the_ones_a_hit_carries()
    {
        using var document = await OpenApiDocumentView.GetAsync(Client);
        var ok = document.ResponseHeaders(document.Operation("/api/users/{id}", "get"), "200");
        using var miss = await Client.GetAsync("/api/users/1");
        using var hit = await Client.GetAsync("/api/users/1");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(CacheHeaders.Order(StringComparer.Ordinal), ok.Keys.Order(StringComparer.Ordinal));
        Assert.All(ok.Keys, header => Assert.NotNull(hit.Header(header)));
        var documentedValues = ok["X-Cache"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(value => value.GetString());
        Assert.Contains(miss.XCache(), documentedValues);
    }

    [Fact]
    public async Task A_route_varying_by_a_header_documents_vary()
    {
        using var document = await OpenApiDocumentView.GetAsync(Client);

        var ok = document.ResponseHeaders(document.Operation("/api/greeting", "get"), "200");

        Assert.Equal("Accept-Language", ok["Vary"].GetProperty("example").GetString());
        Assert.False(document.ResponseHeaders(document.Operation("/api/users/{id}", "get"), "200").ContainsKey("Vary"));
    }

    [Theory]
    [InlineData("/metrics/cache", "get")]
    [InlineData("/api/users/{id}", "put")]
    [InlineData("/api/posts", "post")]
    public async Task An_uncached_route_documents_none_of_it(string path, string method)
    {
        using var document = await OpenApiDocumentView.GetAsync(Client);
        var operation = document.Operation(path, method);

        Assert.False(OpenApiDocumentView.HasResponse(operation, "304"));
        Assert.Empty(OpenApiDocumentView.QueryParameters(operation, "nocache"));
        var success = OpenApiDocumentView.HasResponse(operation, "200") ? "200" : "201";
        Assert.DoesNotContain(document.ResponseHeaders(operation, success).Keys, CacheHeaders.Contains);
        Assert.DoesNotContain("Cached for", OpenApiDocumentView.Description(operation));
    }

    [Theory]
    [InlineData("/api/users/{id}", "put", "every cached variant of `GET:/api/users/{id}` (route values from this request)")]
    [InlineData("/api/posts", "post", "every cached variant of `GET:/api/posts/`")]
    public async Task A_write_says_what_it_invalidates(string path, string method, string invalidated)
    {
        using var document = await OpenApiDocumentView.GetAsync(Client);

        var description = OpenApiDocumentView.Description(document.Operation(path, method));

        Assert.Contains($"On success (2xx), invalidates {invalidated}", description);
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
