using CacheLayer.Tests.Infrastructure;
// A host that uses only CacheLayer.AspNetCore's public API: no demo-API type and no internal library type.
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.MinimalHost;

public sealed record Item(int Id, string Name);

public static class MinimalApp
{
    /// <summary>Starts the app on an in-memory test server; <c>app.GetTestClient()</c> talks to it.</summary>
    public static async Task<WebApplication> StartAsync(string redis, string keyPrefix, string adminApiKey, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = redis;
        builder.Configuration["CacheLayer:KeyPrefix"] = keyPrefix;
        builder.Configuration["CacheLayer:AdminApiKey"] = adminApiKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
        builder.AddCacheLayer("cache");

        var app = builder.Build();

        app.UseCacheLayer();
        var items = new ConcurrentDictionary<int, string>([new(1, "First item"), new(2, "Second item")]);
        app.MapGet("/items/{id}", (int id) => items.TryGetValue(id, out var name) ? Results.Ok(new Item(id, name)) : Results.NotFound())
            .CacheResponse(TimeSpan.FromMinutes(1), tags: ["items"]);
        app.MapGet("/items", (int page = 1) => Results.Ok(items.OrderBy(item => item.Key).Skip(page - 1).Take(1).Select(item => new Item(item.Key, item.Value))))
            .CacheResponse(TimeSpan.FromMinutes(1), tags: ["items"]);
        app.MapPut("/items/{id}", (int id, Item item) => { items[id] = item.Name; return Results.NoContent(); })
            .InvalidatesCache("GET:/items/{id}");
        app.MapCacheLayerAdmin();

        await app.StartAsync();
        await StoreConnection.WaitAsync(app.Services);
        return app;
    }
}
