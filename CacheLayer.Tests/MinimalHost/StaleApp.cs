using CacheLayer.Tests.Infrastructure;
// A test-only host for the stale-serving tests: an origin whose handler answers a status the test picks
// (the demo's origin can only throw), cached with a short real TTL. Public API of the library only.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.MinimalHost;

/// <summary>What <c>GET /items/{id}</c> answers: 200 with <see cref="Name"/>, or <see cref="Status"/> as a problem.</summary>
public sealed class StatusOrigin
{
    private int _status = StatusCodes.Status200OK;
    private int _calls;

    public int Status { get => Volatile.Read(ref _status); set => Volatile.Write(ref _status, value); }

    public string Name { get; set; } = "First item";

    /// <summary>The handler throws (this host has no exception-handling middleware) instead of answering.</summary>
    public bool Throws { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>While set, each call (counted as it arrives) waits for it before answering.</summary>
    public TaskCompletionSource? Held { get; set; }

    internal async Task<IResult> AnswerAsync(int id)
    {
        Interlocked.Increment(ref _calls);
        if (Held is { } held)
        {
            await held.Task;
        }
        return Answer(id);
    }

    private IResult Answer(int id)
    {
        if (Throws)
        {
            throw new InvalidOperationException("The test origin threw.");
        }
        return Status == StatusCodes.Status200OK
            ? Results.Ok(new Item(id, Name))
            : Results.Problem("The test origin failed.", statusCode: Status);
    }
}

public static class StaleApp
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1);

    /// <summary>Starts the app on an in-memory test server; <c>app.GetTestClient()</c> talks to it.</summary>
    public static async Task<WebApplication> StartAsync(
        string redis, string keyPrefix, StatusOrigin origin, TimeProvider? time = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = redis;
        builder.Configuration["CacheLayer:KeyPrefix"] = keyPrefix;
        builder.Configuration["CacheLayer:MemoryTier:Enabled"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
        builder.AddCacheLayer("cache");
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();

        app.UseCacheLayer();
        app.MapGet("/items/{id}", (int id) => origin.AnswerAsync(id))
            .CacheResponse(Ttl, tags: ["items"]);
        // The same origin with every stale setting of its own, over the global ones.
        app.MapGet("/own/{id}", (int id) => origin.AnswerAsync(id))
            .CacheResponse(Ttl, tags: ["items"], grace: TimeSpan.FromSeconds(30), staleWhileRevalidate: TimeSpan.Zero,
                originSoftTimeout: TimeSpan.FromMilliseconds(100), originHardTimeout: TimeSpan.FromSeconds(2));

        await app.StartAsync();
        await StoreConnection.WaitAsync(app.Services);
        return app;
    }
}
