using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace CacheLayer.Tests.Integration;

/// <summary>The cache store going away, stalling and coming back: requests never fail.</summary>
[Collection(CacheServerCollection.Name)] // run alone: the OpenTelemetry exporters see every API instance's meter
public sealed class CacheOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResumeWithin = TimeSpan.FromSeconds(5);

    private CacheServer _server = null!;

    public async Task InitializeAsync() => _server = await CacheServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task With_the_store_stopped_requests_are_served_by_the_origin_and_caching_resumes_when_it_returns()
    {
        await using var api = NewApi(_server.ConnectionString);
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/posts/");
        Assert.Equal("MISS", warm.XCache());

        await _server.StopAsync();

        foreach (var path in new[] { "/api/posts/", "/api/users/1", "/api/posts/?page=2" })
        {
            var (response, elapsed) = await TimedGetAsync(client, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("MISS", response.XCache());
            Assert.Equal("CacheLayer; fwd=miss; detail=store-unavailable", response.CacheStatus());
            Assert.True(elapsed < AnswerWithin, $"{path} took {elapsed} with the store down.");
        }
        using var update = await client.PutAsJsonAsync("/api/users/1", new { name = "Written while down" });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        // The first failure (the read of /api/posts/) opened the circuit: later requests did not even try the store.
        Assert.Equal(1, metrics.Single("cachelayer_cache_errors_total",
            PrometheusSamples.CacheScope, ("cachelayer_operation", "get"), ("http_route", "/api/posts/")));
        Assert.Single(metrics.Matching("cachelayer_cache_errors_total", ("http_route", "/api/posts/")));
        // (The background probe's failures, if one ran yet, count under http_route="" and operation "ping".)
        Assert.Empty(metrics.Matching("cachelayer_cache_errors_total", ("http_route", "/api/users/{id}")));
        Assert.Equal(1, metrics.Single("cachelayer_cache_circuit_open", PrometheusSamples.CacheScope));

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());

        await _server.StartAgainAsync();
        await WaitUntilCachedAgainAsync(client, "/api/posts/");
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        // Logged once per transition, not once per request.
        var transitions = api.Logs.Lines.Where(line => line.Contains("CacheLayer.AspNetCore.Resilience.CacheCircuit")).ToList();
        Assert.Equal(2, transitions.Count);
        Assert.StartsWith("Warning", transitions[0]);
        Assert.Contains("caching resumed", transitions[1]);
    }

    [Fact]
    public async Task With_the_store_stopped_the_shared_sqlite_origin_still_serves_reads_and_writes()
    {
        using var origin = new SqliteOriginFile();
        await using var api = NewApi(_server.ConnectionString, origin.Settings());
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/users/2");
        Assert.Equal("MISS", warm.XCache());

        await _server.StopAsync();

        using var update = await client.PutAsJsonAsync("/api/users/2", new { name = "Written while the store was down" });
        using var read = await client.GetAsync("/api/users/2");
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("CacheLayer; fwd=miss; detail=store-unavailable", read.CacheStatus());
        Assert.Equal("{\"user\":{\"id\":2,\"name\":\"Written while the store was down\"}}", await read.Content.ReadAsStringAsync());
        // In the file, where every other replica reads it.
        await using var connection = new SqliteConnection(origin.ConnectionString);
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT name FROM users WHERE id = 2";
        Assert.Equal("Written while the store was down", await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task With_the_store_stalled_requests_are_answered_within_the_operation_timeout_and_then_skip_it()
    {
        await using var proxy = new PausableTcpProxy(_server.Port);
        await using var api = NewApi(proxy.ConnectionString);
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/users/2");
        using var hit = await client.GetAsync("/api/users/2");
        Assert.Equal("HIT", hit.XCache());

        proxy.Pause();
        var (stalled, firstElapsed) = await TimedGetAsync(client, "/api/users/2");
        var (skipped, _) = await TimedGetAsync(client, "/api/users/2");

        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);
        Assert.Equal("{\"user\":{\"id\":2,\"name\":\"Cached User B\"}}", await stalled.Content.ReadAsStringAsync());
        Assert.Equal("CacheLayer; fwd=miss; detail=store-unavailable", stalled.CacheStatus());
        Assert.True(firstElapsed < AnswerWithin, $"The request took {firstElapsed} with the store stalled.");
        Assert.Equal("CacheLayer; fwd=miss; detail=store-unavailable", skipped.CacheStatus());
        var metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Single("cachelayer_cache_errors_total",
            PrometheusSamples.CacheScope, ("cachelayer_operation", "get"), ("http_route", "/api/users/{id}")));
        Assert.Single(metrics.Matching("cachelayer_cache_errors_total", ("http_route", "/api/users/{id}")));

        proxy.Resume();
        await WaitUntilCachedAgainAsync(client, "/api/users/2");
    }

    [Fact]
    public async Task A_write_the_store_missed_is_applied_before_the_store_is_read_again()
    {
        await using var proxy = new PausableTcpProxy(_server.Port);
        await using var api = NewApi(proxy.ConnectionString);
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("MISS", warm.XCache());

        proxy.Sever();
        using var update = await client.PutAsJsonAsync("/api/users/1", new { name = "Renamed while unreachable" });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        // The stale entry is still in the store: only this process knows it must go.
        using var redis = await _server.ConnectAsync();
        Assert.True(await redis.GetDatabase().KeyExistsAsync(api.RedisKey("GET:/api/users/1")));
        Assert.Equal(1, await CacheServerFixture.CountEntriesAsync(redis.GetServers()[0], api.KeyPrefix));

        proxy.Resume();
        // Every read on the way, not only the hit, has the rename.
        await Eventually.TrueAsync(async token =>
        {
            using var read = await client.GetAsync("/api/users/1", token);
            Assert.Contains("Renamed while unreachable", await read.Content.ReadAsStringAsync(token));
            return read.XCache() == "HIT";
        }, ResumeWithin);
    }

    // Without the memory tier, every hit here is a Redis read: the path these tests are about.
    private static ApiFactory NewApi(string connectionString, Dictionary<string, string>? settings = null) =>
        new(connectionString)
        {
            Settings = new(settings ?? []) { ["CacheLayer:MemoryTier:Enabled"] = "false", ["CacheLayer:OperationTimeout"] = "00:00:00.250" },
        };

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedGetAsync(HttpClient client, string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await client.GetAsync(path);
        await response.Content.LoadIntoBufferAsync();
        return (response, stopwatch.Elapsed);
    }

    private static Task WaitUntilCachedAgainAsync(HttpClient client, string path) =>
        Eventually.TrueAsync(async token =>
        {
            using var response = await client.GetAsync(path, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.XCache() == "HIT";
        }, ResumeWithin);
}
