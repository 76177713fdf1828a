using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.MinimalHost;

/// <summary>
/// The library lifted into a host that is not the demo API (<see cref="MinimalApp"/>), against the real
/// store: caching, invalidation by a write, the admin routes and their statistics.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class MinimalHostTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string AdminApiKey = "minimal-host-admin-key-0123456789";
    private const string Stored = "CacheLayer; fwd=miss; stored";
    private const string FirstItem = "{\"id\":1,\"name\":\"First item\"}";

    private readonly string _keyPrefix = $"m{Guid.NewGuid():N}"[..9] + ":";
    private readonly List<WebApplication> _apps = [];
    private readonly List<HttpClient> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_first_get_misses_and_stores_and_the_second_is_a_hit_with_the_same_body(bool memoryTier)
    {
        var client = await StartAsync(memoryTier);

        using var miss = await client.GetAsync("/items/1");
        using var hit = await client.GetAsync("/items/1");

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal(Stored, miss.CacheStatus());
        Assert.Equal(FirstItem, await miss.Content.ReadAsStringAsync());
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("HIT", hit.XCache());
        // Served from Redis, or from process memory once the tier's subscription is up.
        Assert.Matches(memoryTier ? "^CacheLayer; hit; ttl=(59|60)(; detail=memory)?$" : "^CacheLayer; hit; ttl=(59|60)$", hit.CacheStatus());
        Assert.NotNull(hit.Headers.Age);
        Assert.Equal(miss.Content.Headers.ContentType, hit.Content.Headers.ContentType);
        Assert.Equal(await miss.Content.ReadAsByteArrayAsync(), await hit.Content.ReadAsByteArrayAsync());
        Assert.Equal(miss.Headers.ETag, hit.Headers.ETag);
    }

    [Fact]
    public async Task Cache_status_tells_a_store_a_hit_a_refresh_a_bypass_and_an_uncacheable_answer_apart()
    {
        var client = await StartAsync();

        using var miss = await client.GetAsync("/items/2");
        using var hit = await client.GetAsync("/items/2");
        using var refresh = await SendAsync(client, HttpMethod.Get, "/items/2", ("Cache-Control", "no-cache"));
        using var bypass = await client.GetAsync("/items/2?nocache=true");
        using var notFound = await client.GetAsync("/items/404");
        using var notFoundAgain = await client.GetAsync("/items/404");

        Assert.Equal(Stored, miss.CacheStatus());
        Assert.Matches("^CacheLayer; hit; ttl=(59|60)(; detail=memory)?$", hit.CacheStatus());
        Assert.Equal("MISS", refresh.XCache());
        Assert.Equal("CacheLayer; fwd=request; stored", refresh.CacheStatus());
        Assert.Equal("BYPASS", bypass.XCache());
        Assert.Equal("CacheLayer; fwd=bypass", bypass.CacheStatus());
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        // A 404 is answered through the cache but never stored: the second one misses again.
        Assert.Equal("CacheLayer; fwd=miss", notFound.CacheStatus());
        Assert.Equal("CacheLayer; fwd=miss", notFoundAgain.CacheStatus());
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task A_put_invalidates_its_item_and_the_next_get_misses_with_the_new_data()
    {
        var client = await StartAsync();
        using var cached = await WarmBothItemsAsync(client);
        Assert.Equal(FirstItem, await cached.Content.ReadAsStringAsync());
        Assert.Equal(2, await store.CountEntriesAsync(_keyPrefix));

        using var put = await client.PutAsJsonAsync("/items/1", new { id = 1, name = "Renamed item" });

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
        using var next = await client.GetAsync("/items/1");
        Assert.Equal("MISS", next.XCache());
        Assert.Equal(Stored, next.CacheStatus());
        Assert.Equal("{\"id\":1,\"name\":\"Renamed item\"}", await next.Content.ReadAsStringAsync());
        using var afterwards = await client.GetAsync("/items/1");
        Assert.Equal("HIT", afterwards.XCache());
        Assert.Equal("{\"id\":1,\"name\":\"Renamed item\"}", await afterwards.Content.ReadAsStringAsync());
        // Only the written item was invalidated.
        using var other = await client.GetAsync("/items/2");
        Assert.Equal("HIT", other.XCache());
    }

    [Fact]
    public async Task Cache_metrics_count_the_hits_and_misses_made_and_the_entries_stored()
    {
        var client = await StartAsync();
        var seen = new List<string?>();
        foreach (var path in new[] { "/items/1", "/items/1", "/items/2", "/items/1" })
        {
            using var response = await client.GetAsync(path);
            seen.Add(response.XCache());
        }
        Assert.Equal(["MISS", "HIT", "MISS", "HIT"], seen);

        using var admin = AdminClient(client);
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));
        var root = statistics.RootElement;

        Assert.Equal(seen.Count(status => status == "HIT"), root.GetProperty("hits").GetInt64());
        Assert.Equal(seen.Count(status => status == "MISS"), root.GetProperty("misses").GetInt64());
        var topKeys = root.GetProperty("top_keys").EnumerateArray().Select(pair => (Key: pair[0].GetString(), Lookups: pair[1].GetInt64())).ToList();
        Assert.Equal([("GET:/items/1", 3L), ("GET:/items/2", 1L)], topKeys);
        var entries = await store.CountEntriesAsync(_keyPrefix);
        Assert.Equal(2, entries);
        Assert.Equal(entries, root.GetProperty("total_cached_keys").GetInt64());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData(AdminApiKey + "x")]
    public async Task Admin_routes_refuse_a_missing_or_wrong_key_and_change_nothing(string? key)
    {
        var client = await StartAsync();
        using var warm = await client.GetAsync("/items/1");
        Assert.Equal(Stored, warm.CacheStatus());
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/cache?key=GET:/items/1");
        using var statistics = new HttpRequestMessage(HttpMethod.Get, "/metrics/cache");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", key);
            statistics.Headers.TryAddWithoutValidation("X-Api-Key", key);
        }

        using var delete = await client.SendAsync(request);
        using var refused = await client.SendAsync(statistics);

        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("hits", await refused.Content.ReadAsStringAsync());
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
        using var next = await client.GetAsync("/items/1");
        Assert.Equal("HIT", next.XCache());
    }

    [Fact]
    public async Task Deleting_a_key_through_the_admin_route_makes_the_next_get_a_miss()
    {
        var client = await StartAsync();
        using var cached = await WarmBothItemsAsync(client);
        using var admin = AdminClient(client);

        using var deleted = await admin.DeleteAsync("/api/cache?key=GET:/items/1");
        using var again = await admin.DeleteAsync("/api/cache?key=GET:/items/1");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("{\"message\":\"Cache key deleted\"}", await deleted.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
        using var next = await client.GetAsync("/items/1");
        Assert.Equal("MISS", next.XCache());
        Assert.Equal(Stored, next.CacheStatus());
        using var other = await client.GetAsync("/items/2");
        Assert.Equal("HIT", other.XCache());
    }

    [Fact]
    public async Task Deleting_the_tag_through_the_admin_route_evicts_every_item()
    {
        var client = await StartAsync();
        foreach (var path in new[] { "/items/1", "/items/2", "/items?page=2" })
        {
            using var warm = await client.GetAsync(path);
            Assert.Equal(Stored, warm.CacheStatus());
        }
        Assert.Equal(3, await store.CountEntriesAsync(_keyPrefix));
        using var admin = AdminClient(client);

        using var deleted = await admin.DeleteAsync("/api/cache?tag=items");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("{\"message\":\"Cache entries deleted\",\"deleted\":3}", await deleted.Content.ReadAsStringAsync());
        Assert.Equal(0, await store.CountEntriesAsync(_keyPrefix));
        using var next = await client.GetAsync("/items/2");
        Assert.Equal("MISS", next.XCache());
    }

    private async Task<HttpClient> StartAsync(bool memoryTier = true)
    {
        var app = await MinimalApp.StartAsync(store.Server.ConnectionString, _keyPrefix, AdminApiKey,
            new Dictionary<string, string>
            {
                ["CacheLayer:MemoryTier:Enabled"] = memoryTier ? "true" : "false",
                ["Logging:LogLevel:Default"] = "Warning",
                // As ApiFactory: generous, so a loaded machine does not turn a slow Redis answer into a miss.
                ["CacheLayer:OperationTimeout"] = "00:00:02",
            });
        _apps.Add(app);
        var client = app.GetTestClient();
        _clients.Add(client);
        return client;
    }

    private HttpClient AdminClient(HttpClient client)
    {
        var admin = new HttpClient(_apps[^1].GetTestServer().CreateHandler()) { BaseAddress = client.BaseAddress };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminApiKey);
        return admin;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return client.SendAsync(request);
    }

    /// <summary>Stores both items, then reads item 1 back as a hit; returns that hit.</summary>
    private static async Task<HttpResponseMessage> WarmBothItemsAsync(HttpClient client)
    {
        using var warm = await client.GetAsync("/items/1");
        using var warmOther = await client.GetAsync("/items/2");
        var cached = await client.GetAsync("/items/1");
        Assert.Equal(Stored, warm.CacheStatus());
        Assert.Equal(Stored, warmOther.CacheStatus());
        Assert.Equal("HIT", cached.XCache());
        return cached;
    }
}
