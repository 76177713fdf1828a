using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.Integration.Stale;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Controllers;

/// <summary>
/// What a user of the layer notices, written once and run on a minimal-API host (<see cref="MinimalItemsApp"/>,
/// conventions) and on a controllers host (<see cref="ControllersApp"/>, attributes) with the same routes, against
/// the real store: the two ways of declaring caching must behave the same.
/// </summary>
public abstract class SharedBehaviourTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string AdminApiKey = "shared-host-admin-key-0123456789";
    private const string Stored = "CacheLayer; fwd=miss; stored";
    private const string FirstItem = "{\"id\":1,\"name\":\"First item\"}";
    private const string FreshHit = "^CacheLayer; hit; ttl=(59|60)(; detail=memory)?$";

    private readonly string _keyPrefix = $"h{Guid.NewGuid():N}"[..9] + ":";
    private readonly List<WebApplication> _apps = [];
    private readonly List<HttpClient> _clients = [];

    protected abstract HostKind Kind { get; }

    private ItemsBackend Backend { get; } = new();

    private HttpClient Client => _clients[0];

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

    [Fact]
    public async Task The_first_get_misses_and_stores_and_the_second_is_a_hit_with_the_same_body()
    {
        await StartAsync();

        using var miss = await Client.GetAsync("/items/1");
        using var hit = await Client.GetAsync("/items/1");

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal(Stored, miss.CacheStatus());
        Assert.Equal(FirstItem, await miss.Content.ReadAsStringAsync());
        Assert.Equal(1, await EntriesAsync());

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("HIT", hit.XCache());
        Assert.Matches(FreshHit, hit.CacheStatus());
        Assert.NotNull(hit.Headers.Age);
        Assert.Equal(miss.Content.Headers.ContentType, hit.Content.Headers.ContentType);
        Assert.Equal(FirstItem, await hit.Content.ReadAsStringAsync());
        Assert.Equal(miss.Headers.ETag, hit.Headers.ETag);
        Assert.Equal(1, Backend.Calls("GET /items/{id}")); // the hit never reached the action
    }

    /// <summary>README: a cached GET endpoint "answers HEAD from" its entry, for the attribute as for the convention.</summary>
    [Fact]
    public async Task A_head_is_answered_from_the_get_entry_with_headers_only()
    {
        await StartAsync();
        using var get = await Client.GetAsync("/items/1");
        Assert.Equal(Stored, get.CacheStatus());
        var body = await get.Content.ReadAsByteArrayAsync();

        using var head = await SendAsync(HttpMethod.Head, "/items/1");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("HIT", head.XCache());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(1, Backend.Calls("GET /items/{id}"));
    }

    [Fact]
    public async Task A_put_invalidates_its_item_and_the_next_get_misses_with_the_new_data()
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);
        await AssertStoredAsync("/items/2");
        await AssertHitAsync("/items/1", FirstItem);

        using var put = await Client.PutAsJsonAsync("/items/1", new { id = 1, name = "Renamed item" });

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(1, await EntriesAsync());
        await AssertStoredAsync("/items/1", "{\"id\":1,\"name\":\"Renamed item\"}");
        await AssertHitAsync("/items/1", "{\"id\":1,\"name\":\"Renamed item\"}");
        await AssertHitAsync("/items/2"); // only the written item went
    }

    [Fact]
    public async Task A_delete_fills_the_invalidated_path_from_its_query_parameter()
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);
        await AssertStoredAsync("/items/2");
        await AssertHitAsync("/items/1", FirstItem);

        using var delete = await SendAsync(HttpMethod.Delete, "/items?id=01");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await Client.GetAsync("/items/1");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("MISS", gone.XCache());
        await AssertHitAsync("/items/2");
        Assert.Equal(1, await EntriesAsync());
    }

    [Fact]
    public async Task A_post_invalidates_its_tag_and_the_lists_show_the_new_item()
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);
        await AssertStoredAsync("/items?page=3", "[]");
        await AssertStoredAsync("/greeting", "hello from nowhere"); // not tagged
        await AssertHitAsync("/items?page=3", "[]");

        using var post = await Client.PostAsJsonAsync("/items", new { id = 0, name = "Third item" });

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal(1, await EntriesAsync());
        await AssertStoredAsync("/items?page=3", "[{\"id\":3,\"name\":\"Third item\"}]");
        await AssertStoredAsync("/items/1", FirstItem);
        await AssertHitAsync("/greeting", "hello from nowhere");
    }

    [Fact]
    public async Task An_admin_prefix_delete_evicts_the_paths_under_it_and_nothing_else()
    {
        await StartAsync();
        foreach (var path in new[] { "/items/1", "/items/2", "/items?page=2", "/greeting" })
        {
            await AssertStoredAsync(path);
        }
        using var refused = await SendAsync(HttpMethod.Delete, "/api/cache?prefix=GET:/items", ("X-Api-Key", "wrong-key-but-long-enough"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(4, await EntriesAsync());

        using var deleted = await SendAsync(HttpMethod.Delete, "/api/cache?prefix=GET:/items", ("X-Api-Key", AdminApiKey));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("{\"message\":\"Cache entries deleted\",\"deleted\":3}", await deleted.Content.ReadAsStringAsync());
        Assert.Equal(1, await EntriesAsync());
        await AssertStoredAsync("/items/1", FirstItem);
        await AssertStoredAsync("/items?page=2", "[{\"id\":2,\"name\":\"Second item\"}]");
        await AssertHitAsync("/greeting", "hello from nowhere");
    }

    [Fact]
    public async Task Spellings_of_one_bound_query_value_share_an_entry_and_an_unbound_parameter_splits_nothing()
    {
        await StartAsync();
        await AssertStoredAsync("/items?page=1", "[" + FirstItem + "]");

        await AssertHitAsync("/items?utm_source=news&page=1", "[" + FirstItem + "]");
        await AssertHitAsync("/items?page=01", "[" + FirstItem + "]");
        await AssertHitAsync("/items?PAGE=1", "[" + FirstItem + "]");
        await AssertStoredAsync("/items?page=2", "[{\"id\":2,\"name\":\"Second item\"}]");

        Assert.Equal(2, await EntriesAsync());
        Assert.Equal(2, Backend.Calls("GET /items"));
    }

    [Fact]
    public async Task Each_normalized_value_of_a_declared_header_gets_its_own_entry()
    {
        await StartAsync();
        using var eu = await GetAsync("/greeting", ("X-Region", "eu"));
        Assert.Equal(Stored, eu.CacheStatus());
        Assert.Equal("hello from eu", await eu.Content.ReadAsStringAsync());
        Assert.Contains("X-Region", eu.Headers.Vary, StringComparer.OrdinalIgnoreCase);

        using var euAgain = await GetAsync("/greeting", ("X-Region", " EU "));
        using var us = await GetAsync("/greeting", ("X-Region", "us"));
        using var none = await GetAsync("/greeting");
        using var usAgain = await GetAsync("/greeting", ("X-Region", "us"));

        Assert.Equal("HIT", euAgain.XCache());
        Assert.Equal("hello from eu", await euAgain.Content.ReadAsStringAsync());
        Assert.Equal(Stored, us.CacheStatus());
        Assert.Equal("hello from us", await us.Content.ReadAsStringAsync());
        Assert.Equal(Stored, none.CacheStatus());
        Assert.Equal("hello from nowhere", await none.Content.ReadAsStringAsync());
        Assert.Equal("HIT", usAgain.XCache());
        Assert.Equal("hello from us", await usAgain.Content.ReadAsStringAsync());
        Assert.Equal(3, await EntriesAsync());
        Assert.Equal(3, Backend.Calls("GET /greeting"));
    }

    [Fact]
    public async Task A_route_varying_by_user_keeps_each_users_answer_apart()
    {
        await StartAsync();
        using var alice = await GetAsync("/me", ("Authorization", "Test alice"));
        Assert.Equal(Stored, alice.CacheStatus());
        Assert.Equal("you are alice", await alice.Content.ReadAsStringAsync());
        Assert.Contains("private", alice.Headers.CacheControl?.ToString());

        using var bob = await GetAsync("/me", ("Authorization", "Test bob"));
        using var anonymous = await GetAsync("/me");
        using var aliceAgain = await GetAsync("/me", ("Authorization", "Test alice"));
        using var bobAgain = await GetAsync("/me", ("Authorization", "Test bob"));

        Assert.Equal(Stored, bob.CacheStatus());
        Assert.Equal("you are bob", await bob.Content.ReadAsStringAsync());
        Assert.Equal(Stored, anonymous.CacheStatus());
        Assert.Equal("you are anonymous", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal("HIT", aliceAgain.XCache());
        Assert.Equal("you are alice", await aliceAgain.Content.ReadAsStringAsync());
        Assert.Equal("HIT", bobAgain.XCache());
        Assert.Equal("you are bob", await bobAgain.Content.ReadAsStringAsync());
        var keys = await store.EntryKeysAsync(_keyPrefix);
        Assert.Equal(3, keys.Count);
        Assert.DoesNotContain(keys, key => key.Contains("alice", StringComparison.Ordinal) || key.Contains("bob", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/private/1", "private 1", "CacheLayer; fwd=miss; detail=private", "GET /private/{id}")]
    [InlineData("/cookie/1", "cookie 1", "CacheLayer; fwd=miss; detail=set-cookie", "GET /cookie/{id}")]
    public async Task A_private_response_or_one_setting_a_cookie_is_never_stored(string path, string body, string cacheStatus, string route)
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);

        using var first = await Client.GetAsync(path);
        using var second = await Client.GetAsync(path);

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("MISS", response.XCache());
            Assert.Equal(cacheStatus, response.CacheStatus());
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(2, Backend.Calls(route));
        Assert.Equal(1, await EntriesAsync());
    }

    [Fact]
    public async Task When_the_origin_fails_after_expiry_the_grace_copy_answers()
    {
        var clock = StaleKit.WholeSecondClock();
        await StartAsync(time: clock, settings: new()
        {
            ["CacheLayer:MemoryTier:Enabled"] = "false", // expiry is Redis's alone
            ["CacheLayer:MemoryTier:MaxLag"] = "00:10:00",
        });
        using var warm = await Client.GetAsync("/graced/1");
        Assert.Equal(Stored, warm.CacheStatus());
        Assert.Equal(FirstItem, await warm.Content.ReadAsStringAsync());
        var entryKey = new RedisLayout(_keyPrefix).EntryKeyOf(CacheKey.PathOf("GET:/graced/1"), "GET:/graced/1").ToString();
        Assert.True(await store.Redis.KeyExistsAsync(entryKey));
        // The 1 s TTL runs out in Redis (real time), then on the layer's clock too.
        await StaleKit.UntilGoneAsync(store.Redis, entryKey);
        clock.Advance(TimeSpan.FromSeconds(20));
        Backend.Save(1, "Never shown");
        Backend.GracedStatus = 503;

        using var stale = await Client.GetAsync("/graced/1");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-19; fwd=stale; fwd-status=503; detail=stale-if-error", stale.CacheStatus());
        Assert.Equal(FirstItem, await stale.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(20), stale.Headers.Age);
        Assert.Equal(2, Backend.Calls("GET /graced/{id}")); // the origin was asked, and failed
        Assert.False(StaleKit.IsFresh(store.Redis, entryKey)); // nothing from a failing origin is stored (the key is the copy)
    }

    [Fact]
    public async Task Cache_statistics_count_the_hits_and_misses_made()
    {
        await StartAsync();
        var seen = new List<string?>();
        foreach (var path in new[] { "/items/1", "/items/1", "/items/2", "/items/01", "/items?page=2", "/items?page=2" })
        {
            using var response = await Client.GetAsync(path);
            seen.Add(response.XCache());
        }
        Assert.Equal(["MISS", "HIT", "MISS", "HIT", "MISS", "HIT"], seen);

        using var statistics = JsonDocument.Parse(await AdminGetStringAsync("/metrics/cache"));
        var root = statistics.RootElement;

        Assert.Equal(3, root.GetProperty("hits").GetInt64());
        Assert.Equal(3, root.GetProperty("misses").GetInt64());
        var topKeys = root.GetProperty("top_keys").EnumerateArray().Select(pair => (Key: pair[0].GetString(), Lookups: pair[1].GetInt64())).ToList();
        Assert.Equal([("GET:/items/1", 3L), ("GET:/items/2", 1L), ("GET:/items?page=2", 2L)], topKeys.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        Assert.Equal(3, root.GetProperty("total_cached_keys").GetInt64());
    }

    [Fact]
    public async Task A_route_value_is_keyed_as_the_action_parses_it()
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);

        await AssertHitAsync("/items/01", FirstItem);
        await AssertHitAsync("/items/+1", FirstItem);
        Assert.Equal(1, await EntriesAsync());

        // A write spelled another way invalidates the same entry.
        using var put = await Client.PutAsJsonAsync("/items/001", new { id = 1, name = "Renamed item" });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        await AssertStoredAsync("/items/01", "{\"id\":1,\"name\":\"Renamed item\"}");
        await AssertHitAsync("/items/1", "{\"id\":1,\"name\":\"Renamed item\"}");
    }

    [Fact]
    public async Task A_route_value_that_does_not_parse_gets_the_apps_400_and_is_not_stored()
    {
        await StartAsync();
        await AssertStoredAsync("/items/1", FirstItem);

        using var invalid = await Client.GetAsync("/items/abc");
        using var again = await Client.GetAsync("/items/abc");

        foreach (var response in new[] { invalid, again })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.XCache()); // not looked up: the app's own answer, untouched
        }
        Assert.Equal(1, await EntriesAsync());
        Assert.Equal(1, Backend.Calls("GET /items/{id}")); // the action never ran for it
        await AssertHitAsync("/items/1", FirstItem);
    }

    private async Task StartAsync(Dictionary<string, string>? settings = null, TimeProvider? time = null)
    {
        var all = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            // As ApiFactory: generous, so a loaded machine does not turn a slow Redis answer into a miss.
            ["CacheLayer:OperationTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        var redis = store.Server.ConnectionString;
        var app = Kind switch
        {
            HostKind.MinimalApi => await MinimalItemsApp.StartAsync(redis, _keyPrefix, AdminApiKey, all, Backend, time),
            HostKind.Controllers => await ControllersApp.StartAsync(redis, _keyPrefix, AdminApiKey, all, Backend, time),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
        _apps.Add(app);
        _clients.Add(app.GetTestClient());
    }

    private async Task<string> AdminGetStringAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, ("X-Api-Key", AdminApiKey));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers) =>
        SendAsync(HttpMethod.Get, path, headers);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await Client.SendAsync(request);
    }

    /// <summary>A GET of <paramref name="path"/> went to the origin and was stored (with <paramref name="body"/>, if given).</summary>
    private async Task AssertStoredAsync(string path, string? body = null)
    {
        using var response = await Client.GetAsync(path);
        Assert.True(Stored == response.CacheStatus(), $"GET {path}: expected '{Stored}', got '{response.CacheStatus()}' ({(int)response.StatusCode})");
        Assert.Equal("MISS", response.XCache());
        if (body is not null)
        {
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A GET of <paramref name="path"/> was a hit (with <paramref name="body"/>, if given).</summary>
    private async Task AssertHitAsync(string path, string? body = null)
    {
        using var response = await Client.GetAsync(path);
        Assert.True("HIT" == response.XCache(), $"GET {path}: expected a hit, got '{response.CacheStatus()}' ({(int)response.StatusCode})");
        if (body is not null)
        {
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }

    private Task<int> EntriesAsync() => store.CountEntriesAsync(_keyPrefix);
}

[Collection(CacheServerCollection.Name)]
public sealed class MinimalApiBehaviourTests(CacheServerFixture store) : SharedBehaviourTests(store)
{
    protected override HostKind Kind => HostKind.MinimalApi;
}

[Collection(CacheServerCollection.Name)]
public sealed class ControllersBehaviourTests(CacheServerFixture store) : SharedBehaviourTests(store)
{
    protected override HostKind Kind => HostKind.Controllers;
}
