using System.Net;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class CacheStatisticsTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task Cache_statistics_agree_with_the_x_cache_headers()
    {
        string[] paths = ["/api/posts/", "/api/posts/", "/api/users/1", "/api/posts", "/api/users/1", "/api/users/2", "/api/posts/?page=2", "/api/posts/", "/api/users/999"];
        var seen = new List<string>();
        foreach (var path in paths)
        {
            using var response = await Client.GetAsync(path);
            seen.Add(response.XCache()!);
        }
        using var bypass = await Client.GetAsync("/api/posts/?nocache=true");
        Assert.Equal(["MISS", "HIT", "MISS", "HIT", "HIT", "MISS", "MISS", "HIT", "MISS"], seen);

        using var admin = Api.CreateAdminClient();
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));
        var root = statistics.RootElement;

        Assert.Equal(seen.Count(x => x == "HIT"), root.GetProperty("hits").GetInt64());
        Assert.Equal(seen.Count(x => x == "MISS"), root.GetProperty("misses").GetInt64());
        var topKeys = root.GetProperty("top_keys").EnumerateArray()
            .Select(pair => (Key: pair[0].GetString(), Lookups: pair[1].GetInt64()))
            .ToList();
        Assert.Equal(("GET:/api/posts/", 4L), topKeys[0]);
        Assert.Contains(("GET:/api/users/1", 2L), topKeys);
        Assert.Contains(("GET:/api/posts/?page=2", 1L), topKeys);

        var live = await CountEntriesAsync();
        Assert.Equal(4, live); // posts, posts?page=2, users/1, users/2
        Assert.Equal(live, root.GetProperty("total_cached_keys").GetInt64());
    }

    [Fact]
    public async Task Total_cached_keys_drops_with_invalidation_and_ignores_bookkeeping_keys()
    {
        using var admin = Api.CreateAdminClient();
        foreach (var path in new[] { "/api/posts/", "/api/posts/?page=2", "/api/users/1" })
        {
            using var warm = await Client.GetAsync(path);
        }
        Assert.Equal(3, await TotalCachedKeysAsync(admin));

        using var created = await Client.PostAsync("/api/posts/", JsonContent("{\"title\":\"x\"}"));

        Assert.Equal(1, await TotalCachedKeysAsync(admin));
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task Prometheus_endpoint_exports_the_cache_counters_by_route()
    {
        using var miss = await Client.GetAsync("/api/posts/");
        using var hit = await Client.GetAsync("/api/posts/");
        using var bypass = await Client.GetAsync("/api/posts/?nocache=true");
        using var update = await Client.PutAsync("/api/users/1", JsonContent("{\"name\":\"x\"}"));
        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        using var response = await Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var samples = PrometheusSamples.Parse(text);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scope = PrometheusSamples.CacheScope;
        Assert.Equal(1, samples.Single("cachelayer_cache_hits_total", scope, ("cachelayer_tier", hit.HitTier()), ("http_route", "/api/posts/")));
        Assert.Single(samples.Matching("cachelayer_cache_hits_total", ("http_route", "/api/posts/")));
        Assert.Equal(1, samples.Single("cachelayer_cache_misses_total", scope, ("http_route", "/api/posts/")));
        Assert.Equal(1, samples.Single("cachelayer_cache_bypasses_total", scope, ("cachelayer_reason", "requested"), ("http_route", "/api/posts/")));
        Assert.Equal(1, samples.Single("cachelayer_cache_invalidations_total", scope, ("http_route", "/api/users/{id}")));
        // The one miss stored its answer once.
        Assert.Equal(1, samples.Single("cachelayer_cache_operation_duration_seconds_count",
            scope, ("cachelayer_operation", "set"), ("cachelayer_outcome", "success"), ("http_route", "/api/posts/")));
        Assert.Equal(1, samples.Single("cachelayer_cache_operation_duration_seconds_bucket",
            scope, ("cachelayer_operation", "set"), ("cachelayer_outcome", "success"), ("http_route", "/api/posts/"), ("le", "+Inf")));
        Assert.DoesNotContain("GET:/api/posts/", text);
    }

    [Fact]
    public async Task Health_reports_the_cache_store()
    {
        using var health = await Client.GetAsync("/health");
        using var alive = await Client.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task<long> TotalCachedKeysAsync(HttpClient admin)
    {
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));
        return statistics.RootElement.GetProperty("total_cached_keys").GetInt64();
    }
}
