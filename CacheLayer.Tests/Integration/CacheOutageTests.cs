using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>The cache store going away, stalling and coming back: requests never fail.</summary>
[Collection(CacheServerCollection.Name)] // run alone: the OpenTelemetry exporters see every API instance's meter
public sealed class CacheOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RecoverWithin = TimeSpan.FromSeconds(15);

    private CacheServer _server = null!;

    public async Task InitializeAsync() => _server = await CacheServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task With_the_store_stopped_requests_are_served_by_the_origin_and_caching_resumes_when_it_returns()
    {
        await using var api = new ApiFactory(_server.ConnectionString);
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

        using var metrics = await client.GetAsync("/metrics");
        Assert.True(CacheStatisticsTests.Sample(await metrics.Content.ReadAsStringAsync(), "cachelayer_cache_errors_total", "/api/posts/") >= 2);

        await _server.StartAgainAsync();
        await WaitUntilCachedAgainAsync(client, "/api/posts/");
    }

    [Fact]
    public async Task With_the_store_stalled_requests_are_answered_within_the_operation_timeout()
    {
        await using var proxy = new PausableTcpProxy(_server.Port);
        await using var api = new ApiFactory(proxy.ConnectionString);
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/users/2");
        using var hit = await client.GetAsync("/api/users/2");
        Assert.Equal("HIT", hit.XCache());

        proxy.Pause();
        var (stalled, elapsed) = await TimedGetAsync(client, "/api/users/2");

        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);
        Assert.Equal("{\"user\":{\"id\":2,\"name\":\"Cached User B\"}}", await stalled.Content.ReadAsStringAsync());
        Assert.Equal("CacheLayer; fwd=miss; detail=store-unavailable", stalled.CacheStatus());
        Assert.True(elapsed < AnswerWithin, $"The request took {elapsed} with the store stalled.");

        proxy.Resume();
        await WaitUntilCachedAgainAsync(client, "/api/users/2");
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedGetAsync(HttpClient client, string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await client.GetAsync(path);
        await response.Content.LoadIntoBufferAsync();
        return (response, stopwatch.Elapsed);
    }

    private static async Task WaitUntilCachedAgainAsync(HttpClient client, string path)
    {
        using var timeout = new CancellationTokenSource(RecoverWithin);
        while (true)
        {
            using var response = await client.GetAsync(path, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (response.XCache() == "HIT")
            {
                return;
            }
            await Task.Delay(100, timeout.Token);
        }
    }
}
