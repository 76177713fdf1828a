using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Redis with <c>maxmemory</c> and <c>allkeys-lru</c> may evict any key of the layer, its generations and
/// indexes included. That may cost misses, never a read that misses a write which returned before it.
/// Each test has its own small redis-server (Garnet evicts differently), the API writes with no KeyPrefix.
/// </summary>
public sealed class EvictionTests : IAsyncLifetime
{
    private const int MaxMemoryBytes = 4 * 1024 * 1024;
    private const int FillerBytes = 32 * 1024;
    private const string FillerPrefix = "filler:";
    private static readonly TimeSpan EvictionTimeout = TimeSpan.FromSeconds(30);

    // Bodies a POST of a post changes: the plain path and variants of it.
    private static readonly string[] PostsPaths =
        ["/api/posts/", "/api/posts/?pageSize=10", "/api/posts/?page=1&pageSize=5", "/api/posts/?page=3&pageSize=1"];
    private static readonly string[] Paths = ["/api/users/1", "/api/users/2", .. PostsPaths];

    private RedisServerProcess? _server;
    private ConnectionMultiplexer? _redis;
    private ApiFactory? _api;
    private HttpClient? _client;

    private RedisServerProcess Server => _server!;
    private HttpClient Client => _client!;

    public async Task InitializeAsync()
    {
        _server = new RedisServerProcess(RedisServerProcess.RequireExecutable(), FreePort.Next(),
            [
                "--maxmemory", MaxMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--maxmemory-policy", "allkeys-lru",
                "--notify-keyspace-events", "Ee",
            ]);
        await _server.StartAgainAsync();
        _redis = await _server.ConnectAsync();
        _api = new ApiFactory(_server.ConnectionString)
        {
            KeyPrefix = "",
            // Every read goes to Redis, as it would in another replica: what it serves is what Redis holds.
            Settings = new() { ["CacheLayer:MemoryTier:Enabled"] = "false" },
        };
        await _api.WaitUntilStoreConnectedAsync();
        _client = _api.CreateClient(new() { HandleCookies = false });
    }

    [Fact]
    public async Task Writes_after_Redis_evicted_keys_of_the_layer_show_their_new_data()
    {
        await WarmAsync();
        var before = await ScanAsync();

        // Filler, with the warmed paths read between rounds, until Redis has evicted every bookkeeping key
        // there was after warming at least once (entries go too, and come back as reads miss). The published
        // statistics are left out: no request reads them, and one may expire rather than be evicted.
        var evicted = new ConcurrentDictionary<string, bool>();
        await _redis!.GetSubscriber().SubscribeAsync(RedisChannel.Literal("__keyevent@0__:evicted"), (_, key) => evicted[key.ToString()] = true);
        var database = _redis.GetDatabase();
        var filler = new byte[FillerBytes];
        var written = 0;
        using var timeout = new CancellationTokenSource(EvictionTimeout);
        while (before.Bookkeeping.Where(key => !evicted.ContainsKey(key) && !key.Contains("__cachelayer:stats}", StringComparison.Ordinal)).ToList() is { Count: > 0 } left)
        {
            Assert.False(timeout.IsCancellationRequested, $"Not evicted after {EvictionTimeout}: {string.Join(", ", left)}");
            for (var batch = 0; batch < 8; batch++)
            {
                await database.StringSetAsync($"{FillerPrefix}{written++}", filler);
            }
            foreach (var path in Paths)
            {
                using var _ = await Client.GetAsync(path);
            }
        }

        await AssertWritesShowAsync();
    }

    [Fact]
    public async Task Writes_after_the_bookkeeping_was_evicted_show_their_new_data()
    {
        await WarmAsync();
        // Deterministically what eviction may do at any moment: every generation and index gone, the entries kept.
        var bookkeeping = (await ScanAsync()).Bookkeeping;
        Assert.NotEmpty(bookkeeping);
        await _redis!.GetDatabase().KeyDeleteAsync([.. bookkeeping.Select(key => (RedisKey)key)]);

        await AssertWritesShowAsync();
    }

    private async Task WarmAsync()
    {
        foreach (var path in Paths)
        {
            using var response = await Client.GetAsync(path);
            Assert.Equal("CacheLayer; fwd=miss; stored", response.CacheStatus());
        }
    }

    /// <summary>Renames user 1 and adds a post; every read after that, twice each, shows both and nothing older.</summary>
    private async Task AssertWritesShowAsync()
    {
        using var rename = await Client.PutAsJsonAsync("/api/users/1", new { name = "Renamed after eviction" });
        using var post = await Client.PostAsJsonAsync("/api/posts/", new { title = "Posted after eviction" });
        Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);

        for (var read = 1; read <= 2; read++)
        {
            Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Renamed after eviction\"}}", await Client.GetStringAsync("/api/users/1"));
            Assert.Equal("{\"user\":{\"id\":2,\"name\":\"Cached User B\"}}", await Client.GetStringAsync("/api/users/2"));
            foreach (var path in PostsPaths)
            {
                using var response = await Client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(body.Contains("Posted after eviction", StringComparison.Ordinal),
                    $"Read {read} of {path} after the post: {response.CacheStatus()} {body}");
            }
        }
    }

    private async Task<StoredKeys> ScanAsync() =>
        await StoredKeys.ScanAsync(_redis!.GetServer(Server.ConnectionString), key => key.StartsWith(FillerPrefix, StringComparison.Ordinal));

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
