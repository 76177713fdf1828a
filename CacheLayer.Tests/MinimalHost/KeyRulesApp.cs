using CacheLayer.Tests.Infrastructure;
// Endpoints that show the key rules on the library's public API alone.
using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.MinimalHost;

public static class KeyRulesApp
{
    /// <summary>A test-server app with cached endpoints mapped by <paramref name="map"/> (the defaults below when null).</summary>
    public static async Task<WebApplication> StartAsync(string redis, string keyPrefix, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = redis;
        builder.Configuration["CacheLayer:KeyPrefix"] = keyPrefix;
        builder.Configuration["CacheLayer:OperationTimeout"] = "00:00:02";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddCacheLayer("cache");

        var app = builder.Build();

        app.UseCacheLayer();
        (map ?? MapDefaults)(app);
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

    private static void MapDefaults(WebApplication app)
    {
        // Binds kind from the query.
        app.MapGet("/things", (string? kind) => Results.Text($"kind={kind ?? "none"}"))
            .CacheResponse(TimeSpan.FromMinutes(1));
        // Reads the query itself: every parameter splits the key.
        app.MapGet("/raw", (HttpContext context) => Results.Text(string.Join(",", context.Request.Query.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))))
            .CacheResponse(TimeSpan.FromMinutes(1), varyByQuery: ["*"]);
        // Keyed by a custom normalizer: gold, or the default entry.
        app.MapGet("/plan", ([FromHeader(Name = "X-Plan")] string? plan) => Results.Text(Plan(plan) ?? "basic"))
            .CacheResponse(TimeSpan.FromMinutes(1), varyByHeaders: [CacheVaryByHeader.Header("X-Plan", Plan)]);
    }

    private static string? Plan(string? header) =>
        header?.Trim().Equals("gold", StringComparison.OrdinalIgnoreCase) == true ? "gold" : null;
}
