using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// An outage of the store reads as a few lines, however many requests, probes and log polls meet it: the
/// circuit opening and closing, the invalidation log lost and caught up with (and the statistics publisher
/// stopping and resuming, if it noticed), each once. Per-call failures are Debug only.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class OutageLogTests : IAsyncLifetime
{
    private CacheServer _server = null!;

    public async Task InitializeAsync() => _server = await CacheServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_outage_is_logged_once_as_it_starts_and_once_as_it_ends()
    {
        await using var api = new ApiFactory(_server.ConnectionString) { Settings = { ["CacheLayer:OperationTimeout"] = "00:00:00.250" } };
        await api.WaitUntilMemoryTierActiveAsync();
        using var calls = new StoreCalls(api);
        using var client = api.CreateClient();
        await GetAllAsync(client, "/api/posts/");

        await _server.StopAsync();
        await GetAllAsync(client, [.. Enumerable.Range(1, 20).Select(page => $"/api/posts/?page={page}")]);
        await Eventually.TrueAsync(() => calls.Count("", "ping") >= 10 && Count(api, "Cannot read the cache invalidation log") > 0, timeoutSeconds: 30);
        await GetAllAsync(client, [.. Enumerable.Range(0, 20).Select(i => $"/api/users/{1 + i % 2}")]);
        await _server.StartAgainAsync();
        await Eventually.ResponseAsync(client, "/api/posts/", response => response.XCache() == "HIT", TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => Count(api, "Caught up with the cache invalidation log") > 0);

        // By category ("Level Category: message"): the Redis client's own errors can carry the layer's frames in their stack trace.
        var layer = api.Logs.Lines.Where(line => !line.StartsWith("Debug") && line.Split(' ', 3)[1].StartsWith("CacheLayer.AspNetCore.", StringComparison.Ordinal)).ToList();
        var lines = string.Join("\n", layer);
        Assert.True(Count(layer, "Cache store unavailable") == 1, lines);
        Assert.True(Count(layer, "caching resumed") == 1, lines);
        Assert.True(Count(layer, "Cannot read the cache invalidation log") == 1, lines);
        Assert.True(Count(layer, "Caught up with the cache invalidation log") == 1, lines);
        var unpublished = Count(layer, "Cache statistics not published");
        Assert.True(unpublished <= 1 && Count(layer, "Cache statistics published again") == unpublished, lines);
        // The restarted store lost the log: emptying the memory tier is one more change, logged once.
        var startedOver = Count(layer, "no longer reaches back");
        Assert.True(startedOver <= 1, lines);
        Assert.True(layer.Count == 4 + 2 * unpublished + startedOver, lines);
    }

    private static async Task GetAllAsync(HttpClient client, params string[] paths)
    {
        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static int Count(ApiFactory api, string text) => Count(api.Logs.Lines, text);

    private static int Count(IEnumerable<string> lines, string text) => lines.Count(line => line.Contains(text));
}
