// The minimal-API twin of ControllersApp: the same routes, declared with the conventions (.CacheResponse,
// .InvalidatesCache, .InvalidatesCacheTags). Public API of the library only.
using System.Security.Claims;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Tests.Controllers;

public static class MinimalItemsApp
{
    /// <summary>Starts the app on an in-memory test server; <c>app.GetTestClient()</c> talks to it.</summary>
    public static async Task<WebApplication> StartAsync(
        string redis, string keyPrefix, string adminApiKey, IReadOnlyDictionary<string, string>? settings = null,
        ItemsBackend? backend = null, TimeProvider? time = null)
    {
        var builder = TestHostBuilder.Create(redis, keyPrefix, adminApiKey, settings, backend ?? new ItemsBackend(), time);
        var app = builder.Build();

        app.UseCacheLayer();
        var minute = TimeSpan.FromMinutes(1);
        app.MapGet("/items/{id}", (int id, [FromServices] ItemsBackend items) => items.Find(id) is { } item ? Results.Ok(item) : Results.NotFound())
            .CacheResponse(minute, tags: ["items"]);
        app.MapGet("/items", ([FromServices] ItemsBackend items, int page = 1) => items.Page(page))
            .CacheResponse(minute, tags: ["items"]);
        app.MapPut("/items/{id}", (int id, Item item, [FromServices] ItemsBackend items) =>
        {
            items.Save(id, item.Name);
            return Results.NoContent();
        }).InvalidatesCache("GET:/items/{id}");
        app.MapDelete("/items", ([FromQuery] int id, [FromServices] ItemsBackend items) => items.Remove(id) ? Results.NoContent() : Results.NotFound())
            .InvalidatesCache("GET:/items/{id}");
        app.MapPost("/items", (Item item, [FromServices] ItemsBackend items) =>
        {
            var created = items.Add(item.Name);
            return Results.Created($"/items/{created.Id}", created);
        }).InvalidatesCacheTags("items");
        // Reads the header from the request itself, so it declares the (no) query parameters it reads.
        app.MapGet("/greeting", (HttpRequest request, [FromServices] ItemsBackend items) => items.Greeting(request.Headers["X-Region"]))
            .CacheResponse(minute, varyByHeaders: ["X-Region"], varyByQuery: []);
        app.MapGet("/me", (ClaimsPrincipal user, [FromServices] ItemsBackend items) =>
                items.Me(user.Identity?.IsAuthenticated == true ? user.Identity.Name : null))
            .CacheResponse(minute, varyByUser: true);
        app.MapGet("/graced/{id}", (int id, [FromServices] ItemsBackend items) => items.Graced(id) is { } item
                ? Results.Ok(item)
                : Results.Problem("The test origin failed.", statusCode: items.GracedStatus == 200 ? 404 : items.GracedStatus))
            .CacheResponse(TimeSpan.FromSeconds(1), grace: TimeSpan.FromMinutes(1), staleWhileRevalidate: TimeSpan.Zero);
        app.MapGet("/private/{id}", (int id, HttpResponse response, [FromServices] ItemsBackend items) =>
        {
            response.Headers.CacheControl = "private, max-age=60";
            return items.Private(id);
        }).CacheResponse(minute);
        app.MapGet("/cookie/{id}", (int id, HttpResponse response, [FromServices] ItemsBackend items) =>
        {
            response.Cookies.Append("session", "abc");
            return items.Cookie(id);
        }).CacheResponse(minute);
        app.MapCacheLayerAdmin();

        await app.StartAsync();
        await TestHostBuilder.UntilStoreConnectedAsync(app);
        return app;
    }
}
