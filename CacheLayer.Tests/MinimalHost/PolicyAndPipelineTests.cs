using System.Text.RegularExpressions;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.MinimalHost;

/// <summary>
/// Named policies from configuration and code, and the start-up checks of the middleware: a host that
/// declares caching without <c>app.UseCacheLayer()</c>, or names a policy nobody defined, does not start.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class PolicyAndPipelineTests(CacheServerFixture store)
{
    private const string AdminApiKey = "policy-tests-admin-key-0123456789";

    private readonly string _keyPrefix = $"n{Guid.NewGuid():N}"[..9] + ":";

    [Fact]
    public async Task A_named_policy_from_configuration_sets_the_ttl_and_tags_of_the_endpoints_that_use_it()
    {
        await using var app = await StartAsync(
            new() { ["CacheLayer:Policies:items:Ttl"] = "00:00:42", ["CacheLayer:Policies:items:Tags:0"] = "items" },
            app => app.MapGet("/items/{id:int}", (int id) => $"item {id}").CacheResponse("items"));
        using var client = app.GetTestClient();
        using var admin = AdminClient(app);

        using var miss = await client.GetAsync("/items/1");
        using var hit = await client.GetAsync("/items/1");
        using var evicted = await admin.DeleteAsync("/api/cache?tag=items");
        using var afterEviction = await client.GetAsync("/items/1");

        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        var ttl = int.Parse(Regex.Match(hit.CacheStatus()!, "ttl=(\\d+)").Groups[1].Value);
        Assert.InRange(ttl, 30, 42);
        Assert.True(evicted.IsSuccessStatusCode);
        Assert.Equal("MISS", afterEviction.XCache());
    }

    [Fact]
    public async Task A_policy_in_configuration_wins_over_one_of_the_same_name_in_code()
    {
        await using var app = await StartAsync(
            new() { ["CacheLayer:Policies:items:Ttl"] = "00:00:42" },
            app => app.MapGet("/items/{id:int}", (int id) => $"item {id}").CacheResponse("items"),
            options => options.AddPolicy("items", policy => policy.Ttl = TimeSpan.FromHours(5)).AddPolicy("other", policy => policy.Ttl = TimeSpan.FromHours(5)));
        using var client = app.GetTestClient();

        using var miss = await client.GetAsync("/items/1");
        using var hit = await client.GetAsync("/items/1");

        Assert.Equal("HIT", hit.XCache());
        Assert.InRange(int.Parse(Regex.Match(hit.CacheStatus()!, "ttl=(\\d+)").Groups[1].Value), 30, 42);
    }

    [Fact]
    public async Task An_endpoint_naming_an_undefined_policy_stops_the_app_at_start_up_naming_both()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(
            [], app => app.MapGet("/items/{id:int}", (int id) => $"item {id}").CacheResponse("nowhere")));

        Assert.Contains("'nowhere'", failure.Message);
        Assert.Contains("/items/{id:int}", failure.Message);
    }

    [Fact]
    public async Task A_host_with_cached_endpoints_but_no_UseCacheLayer_stops_at_start_up_saying_so()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(
            [], app => app.MapGet("/items/{id:int}", (int id) => $"item {id}").CacheResponse(TimeSpan.FromMinutes(1)), useCacheLayer: false));

        Assert.Contains("app.UseCacheLayer()", failure.Message);
    }

    [Fact]
    public async Task An_invalidation_template_parameter_nothing_fills_stops_the_app_at_start_up_naming_the_endpoint()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(
            [], app => app.MapPut("/items/{id:int}", (int id) => Results.NoContent()).InvalidatesCache("GET:/items/{itemId}")));

        Assert.Contains("'itemId'", failure.Message);
        Assert.Contains("/items/{id:int}", failure.Message);
    }

    [Fact]
    public async Task An_invalidation_template_filled_from_a_bound_query_value_invalidates_its_canonical_path()
    {
        await using var app = await StartAsync([], app =>
        {
            app.MapGet("/items/{id:int}", (int id) => $"item {id}").CacheResponse(TimeSpan.FromMinutes(1));
            app.MapPost("/items/refresh", (int id) => Results.NoContent()).InvalidatesCache("GET:/items/{id}");
        });
        using var client = app.GetTestClient();

        using var miss = await client.GetAsync("/items/7");
        using var hit = await client.GetAsync("/items/7");
        using var write = await client.PostAsync("/items/refresh?id=007", null);
        using var after = await client.GetAsync("/items/7");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("MISS", after.XCache());
    }

    private async Task<WebApplication> StartAsync(
        Dictionary<string, string> settings, Action<WebApplication> map, Action<CacheLayerOptions>? configure = null, bool useCacheLayer = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = store.Server.ConnectionString;
        builder.Configuration["CacheLayer:KeyPrefix"] = _keyPrefix;
        builder.Configuration["CacheLayer:AdminApiKey"] = AdminApiKey;
        builder.Configuration["CacheLayer:OperationTimeout"] = "00:00:02";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }
        builder.AddCacheLayer("cache", configure);
        var app = builder.Build();
        if (useCacheLayer)
        {
            app.UseCacheLayer();
        }
        map(app);
        app.MapCacheLayerAdmin();
        try
        {
            await app.StartAsync();
            await StoreConnection.WaitAsync(app.Services);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    private static HttpClient AdminClient(WebApplication app)
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminApiKey);
        return client;
    }
}
