using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.MinimalHost;

/// <summary>
/// A host that is not the demo, using the public API and <c>AddOpenApi()</c> alone: its documents
/// (any name) describe the cache with nothing else registered.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class OpenApiHostTests(CacheServerFixture store) : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _client;

    private HttpClient Client => _client!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = store.Server.ConnectionString;
        builder.Configuration["CacheLayer:KeyPrefix"] = $"o{Guid.NewGuid():N}"[..9] + ":";
        builder.AddCacheLayer("cache");
        builder.Services.AddOpenApi("public");

        _app = builder.Build();
        _app.UseCacheLayer();

        _app.MapOpenApi();
        _app.MapGet("/reports/{id}", (int id) => Results.Ok(new { id }))
            .CacheResponse(TimeSpan.FromMinutes(5), tags: ["reports"]);
        _app.MapGet("/search", (string? q, bool? nocache) => Results.Ok(new { q, nocache }))
            .WithDescription("Searches the reports.")
            .CacheResponse(TimeSpan.FromSeconds(30));
        _app.MapPost("/reports", () => Results.NoContent())
            .InvalidatesCacheTags("reports", "summaries");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_cached_handler_returning_IResult_keeps_its_200_and_gains_the_headers_and_a_304()
    {
        using var document = await OpenApiDocumentView.GetAsync(Client, "/openapi/public.json");
        var operation = document.Operation("/reports/{id}", "get");

        Assert.Contains("X-Cache", document.ResponseHeaders(operation, "200").Keys);
        Assert.True(OpenApiDocumentView.HasResponse(operation, "304"));
        Assert.Single(OpenApiDocumentView.QueryParameters(operation, "nocache"));
    }

    [Fact]
    public async Task An_endpoint_binding_nocache_itself_is_not_given_a_second_one_and_keeps_its_description()
    {
        using var document = await OpenApiDocumentView.GetAsync(Client, "/openapi/public.json");
        var operation = document.Operation("/search", "get");

        var nocache = Assert.Single(OpenApiDocumentView.QueryParameters(operation, "nocache"));
        Assert.False(nocache.TryGetProperty("description", out _)); // the handler's own, not the layer's
        Assert.StartsWith("Searches the reports.\n\nCached for 30 s.", OpenApiDocumentView.Description(operation));
    }

    [Fact]
    public async Task A_write_invalidating_tags_names_them()
    {
        using var document = await OpenApiDocumentView.GetAsync(Client, "/openapi/public.json");

        var description = OpenApiDocumentView.Description(document.Operation("/reports", "post"));

        Assert.Equal("On success (2xx), invalidates every cached response tagged `reports`, `summaries` before its response is sent.", description);
    }
}
