using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Issue 9: a client inventing variants of one path cannot grow the store past
/// <c>MaxVariantsPerPath</c>, and invalidating a path with many variants stays cheap and safe.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class VariantLimitTests(CacheServerFixture store) : IAsyncLifetime
{
    private const int Cap = 50;
    private const string VariantLimit = "CacheLayer; fwd=bypass; detail=variant-limit";

    private readonly ApiFactory _api = new(store.Server.ConnectionString)
    {
        Settings = new() { ["CacheLayer:MaxVariantsPerPath"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_flood_of_new_variants_stores_at_most_the_cap_and_invalidation_stays_healthy()
    {
        using var client = _api.CreateClient(new() { HandleCookies = false });
        using var warm = await client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));

        var statuses = new ConcurrentBag<(int Page, string? Status)>();
        await Parallel.ForEachAsync(Enumerable.Range(1, 3000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (page, _) =>
        {
            using var response = await client.GetAsync($"/api/posts/?page={page}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            statuses.Add((page, response.CacheStatus()));
        });

        // The plain entry and Cap - 1 variants fill the path; every other variant is served uncached. Layout v3 keeps
        // the cap in the bookkeeping batch, a moment after the stores: the variants stored within that moment past the
        // cap are deleted again (the newest), and from then on new variants are refused before they are stored.
        await _api.Service<RedisIndexBatch>().FlushAsync();
        Assert.Equal(Cap, await store.CountEntriesAsync(_api.KeyPrefix));
        var storedCount = statuses.Count(s => s.Status == "CacheLayer; fwd=miss; stored");
        Assert.InRange(storedCount, Cap - 1, Cap - 1 + 400);
        var limited = statuses.Where(s => s.Status == VariantLimit).ToList();
        Assert.Equal(3000 - storedCount, limited.Count);
        using var again = await client.GetAsync($"/api/posts/?page={limited[0].Page}");
        Assert.Equal("BYPASS", again.XCache());
        Assert.Equal(VariantLimit, again.CacheStatus());
        // A variant already stored may still be refreshed at the cap.
        var storedPage = statuses.Where(s => s.Status == "CacheLayer; fwd=miss; stored").Select(s => s.Page)
            .First(page => store.Redis.KeyExists(_api.RedisKey($"GET:/api/posts/?page={page}")));
        using var refresh = new HttpRequestMessage(HttpMethod.Get, $"/api/posts/?page={storedPage}");
        refresh.Headers.CacheControl = new() { NoCache = true };
        using var refreshed = await client.SendAsync(refresh);
        Assert.Equal("CacheLayer; fwd=request; stored", refreshed.CacheStatus());
        var metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(limited.Count + 1, metrics.Single("cachelayer_cache_bypasses_total",
            PrometheusSamples.CacheScope, ("cachelayer_reason", "variant-limit"), ("http_route", "/api/posts/")));

        using var write = await client.PostAsJsonAsync("/api/posts/", new { title = "New Post A" });

        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        Assert.Equal(0, await store.CountEntriesAsync(_api.KeyPrefix));
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(0, metrics.Single("cachelayer_cache_circuit_open", PrometheusSamples.CacheScope));
        using var next = await client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", next.CacheStatus());
        using var variant = await client.GetAsync($"/api/posts/?page={limited[^1].Page}");
        Assert.Equal("CacheLayer; fwd=miss; stored", variant.CacheStatus());
    }

    [Fact]
    public async Task Expired_variants_do_not_hold_the_cap()
    {
        // Expiry is Redis's (layout v3 scores the variants set on Redis's clock): entries of a second's TTL.
        var timed = _api.Service<IResponseCacheStore>();
        var path = "GET:/api/posts/";
        var generations = await FirstStoreAsync(timed, path, []);
        for (var page = 1; page < Cap; page++)
        {
            Assert.Equal(StoreOutcome.Stored, await timed.SetAsync(new CacheKey(path, $"page={page}"), Entry(DateTimeOffset.UtcNow, 1), generations, []));
        }
        await _api.Service<RedisIndexBatch>().FlushAsync();
        Assert.Equal(StoreOutcome.VariantLimit, await timed.SetAsync(new CacheKey(path, "page=new"), Entry(DateTimeOffset.UtcNow, 60), generations, []));

        await Eventually.TrueAsync(() => Enumerable.Range(0, Cap).All(page => !store.Redis.KeyExists(_api.RedisKey($"{path}?page={page}"))), timeoutSeconds: 15);

        Assert.Equal(StoreOutcome.Stored, await timed.SetAsync(new CacheKey(path, "page=new"), Entry(DateTimeOffset.UtcNow, 60), generations, []));
    }

    /// <summary>Stores a first variant (page=0, a second's TTL), which creates the path's generation (layout v3), and returns the generations to store the others under.</summary>
    private static async Task<CacheGenerations> FirstStoreAsync(IResponseCacheStore store, string path, string[] tags)
    {
        Assert.Equal(StoreOutcome.Stored, await store.SetAsync(new CacheKey(path, "page=0"), Entry(DateTimeOffset.UtcNow, 1), await store.GetGenerationsAsync(path, tags), tags));
        return await store.GetGenerationsAsync(path, tags);
    }

    [Fact]
    public async Task Invalidating_a_path_with_more_than_one_chunk_removes_every_variant_in_bounded_commands()
    {
        Assert.StartsWith("redis-server", store.Description); // SLOWLOG below, as redis-server keeps it
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = new() { ["CacheLayer:MaxVariantsPerPath"] = "2000" } };
        var large = api.Service<IResponseCacheStore>();
        var path = "GET:/api/posts/";
        var generations = await FirstStoreAsync(large, path, ["posts"]);
        Assert.Equal(StoreOutcome.Stored, await large.SetAsync(new CacheKey(path, "page=0"), Entry(DateTimeOffset.UtcNow, 60), generations, ["posts"]));
        await Parallel.ForEachAsync(Enumerable.Range(1, 1199), async (page, _) =>
            Assert.Equal(StoreOutcome.Stored, await large.SetAsync(new CacheKey(path, $"page={page}"), Entry(DateTimeOffset.UtcNow, 60), generations, ["posts"])));
        Assert.Equal(1200, await store.CountEntriesAsync(api.KeyPrefix));
        // The stores' bookkeeping is written in batches after they return: let it land before the invalidation is traced
        // (a loaded machine flushed a 256-write batch inside the trace).
        var indexed = new RedisLayout(api.KeyPrefix).ExpiryShard(RedisLayout.KeyShardOf(path));
        await Eventually.TrueAsync(() => store.Redis.SortedSetLength(indexed) >= 1200, timeoutSeconds: 30);

        var server = store.RedisServer;
        var slower = (await server.ConfigGetAsync("slowlog-log-slower-than")).Single().Value;
        var length = (await server.ConfigGetAsync("slowlog-max-len")).Single().Value;
        CommandTrace[] trace;
        HttpResponseMessage write;
        try
        {
            await server.ConfigSetAsync("slowlog-max-len", 100_000);
            await server.ConfigSetAsync("slowlog-log-slower-than", 0);
            await server.SlowlogResetAsync();
            using var client = api.CreateClient();
            write = await client.PostAsJsonAsync("/api/posts/", new { title = "New Post A" });
            trace = await server.SlowlogGetAsync(100_000);
        }
        finally
        {
            await server.ConfigSetAsync("slowlog-log-slower-than", slower);
            await server.ConfigSetAsync("slowlog-max-len", length);
        }

        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        write.Dispose();
        Assert.Equal(0, await store.CountEntriesAsync(api.KeyPrefix));
        var layout = new RedisLayout(api.KeyPrefix);
        var shard = RedisLayout.KeyShardOf(path);
        Assert.Equal(0, await store.Redis.SortedSetLengthAsync(layout.ExpiryShard(shard)));
        Assert.False(await store.Redis.KeyExistsAsync(layout.VariantsKeyOf(path)));
        // No command over the whole set: no ZRANGE to the end, no DEL/UNLINK or ZREM of more than a chunk (and the plain key).
        var ours = trace.Where(command => command.Arguments.Any(argument => argument.ToString().Contains(api.KeyPrefix, StringComparison.Ordinal))).ToList();
        Assert.Contains(ours, command => Name(command) is "DEL" or "UNLINK");
        Assert.DoesNotContain(ours, command => Name(command) == "ZRANGE" && command.Arguments[3] == "-1");
        Assert.All(ours, command => Assert.True(ArgumentCount(command) <= 2 + 513, $"{Name(command)} with {ArgumentCount(command)} arguments"));
    }

    private static string Name(CommandTrace command) => command.Arguments[0].ToString().ToUpperInvariant();

    /// <summary>redis-server keeps 32 arguments of a command; the last then says how many more there were.</summary>
    private static int ArgumentCount(CommandTrace command)
    {
        var last = command.Arguments[^1].ToString();
        return last.StartsWith("... (", StringComparison.Ordinal) && last.EndsWith(" more arguments)", StringComparison.Ordinal)
            ? command.Arguments.Length - 1 + int.Parse(last["... (".Length..last.IndexOf(' ', 5)], System.Globalization.CultureInfo.InvariantCulture)
            : command.Arguments.Length;
    }

    private static CacheEntry Entry(DateTimeOffset storedAt, int seconds) =>
        new(200, "application/json", "\"e\"", Encoding.UTF8.GetBytes("{}"), storedAt, storedAt.AddSeconds(seconds));
}
