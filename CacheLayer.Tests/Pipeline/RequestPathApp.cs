using System.Collections.Concurrent;
using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.Pipeline;

/// <summary>
/// A minimal-API host whose endpoints reproduce the request-path defects a security review found: file
/// results that write no body for HEAD, range and conditional answers made for one client, header-bound
/// parameters, route values that fail to bind, per-user routes, a handler that ignores its token, and an
/// origin that counts its calls.
/// </summary>
public sealed class RequestPathApp : IAsyncDisposable
{
    public const string Salt = "request-path-tests-salt-0123456789";
    public static readonly byte[] File = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    private readonly WebApplication _app;

    private RequestPathApp(WebApplication app, string keyPrefix)
    {
        _app = app;
        KeyPrefix = keyPrefix;
    }

    /// <summary>Holds the gated endpoints' origin until opened.</summary>
    public TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>While set, <c>/stuck</c> waits for <see cref="Gate"/> whatever its token says.</summary>
    public bool Stuck { get; set; }

    public ConcurrentDictionary<string, int> OriginCalls { get; } = new();

    public string KeyPrefix { get; }

    public HttpClient CreateClient() => new() { BaseAddress = new Uri(_app.Urls.First()) };

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public void ResetGate() => Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<RequestPathApp> StartAsync(string redis)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // A real connection: a 504 at the hard timeout must reach the client before the stuck handler ends.
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var prefix = $"r{Guid.NewGuid():N}"[..9] + ":";
        builder.Configuration["ConnectionStrings:cache"] = redis;
        builder.Configuration["CacheLayer:KeyPrefix"] = prefix;
        builder.Configuration["CacheLayer:OperationTimeout"] = "00:00:02";
        builder.Configuration["CacheLayer:UserKeySalt"] = Salt;
        builder.Configuration["CacheLayer:CollapseTimeout"] = "00:00:30";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddCacheLayer("cache");
        builder.Services.AddAuthentication(TestAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthenticationHandler>(TestAuthenticationHandler.SchemeName, _ => { });
        // The Production default: a failed binding is answered 400 without an exception.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

        var app = builder.Build();
        var paths = new RequestPathApp(app, prefix);
        app.UseCacheLayer();
        var ttl = TimeSpan.FromMinutes(5);
        app.MapGet("/files/{id:int}", (int id) => paths.Count("files", Results.Bytes(File, "application/octet-stream", enableRangeProcessing: true)))
            .CacheResponse(ttl);
        app.MapGet("/gated-files/{id:int}", async (int id) =>
        {
            await paths.Gate.Task;
            return paths.Count("gated-files", Results.Bytes(File, "application/octet-stream", enableRangeProcessing: true));
        }).CacheResponse(ttl);
        app.MapGet("/tenant", ([FromHeader(Name = "X-Tenant")] string? tenant) => paths.Count("tenant", Results.Text($"tenant {tenant}")))
            .CacheResponse(ttl);
        app.MapGet("/items/{id}", (int id) => paths.Count("items", Results.Text($"item {id}"))).CacheResponse(ttl);
        app.MapGet("/pages", (int page = 1) => paths.Count("pages", Results.Text($"page {page}"))).CacheResponse(ttl);
        app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => paths.Count("me", Results.Text($"me {user.Identity?.Name ?? "anonymous"}")))
            .CacheResponse(ttl, varyByUser: true);
        app.MapGet("/stuck", async () =>
        {
            if (paths.Stuck)
            {
                await paths.Gate.Task; // ignores its token, as some handlers do
            }
            return paths.Count("stuck", Results.Text("fresh"));
        }).CacheResponse(ttl, originHardTimeout: TimeSpan.FromMilliseconds(300));
        app.MapGet("/gated", async () =>
        {
            await paths.Gate.Task;
            return paths.Count("gated", Results.Text("gated"));
        }).CacheResponse(ttl);
        await app.StartAsync();
        await StoreConnection.WaitAsync(app.Services);
        return paths;
    }

    private IResult Count(string origin, IResult result)
    {
        OriginCalls.AddOrUpdate(origin, 1, (_, calls) => calls + 1);
        return result;
    }

    public int CallsOf(string origin) => OriginCalls.GetValueOrDefault(origin);

    public async ValueTask DisposeAsync()
    {
        Gate.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
