using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration;

public partial class CacheStatisticsTests(CacheServerFixture store) : ApiTest(store)
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

        var live = 0;
        await foreach (var _ in Store.RedisServer.KeysAsync(pattern: Api.KeyPrefix + "GET:*"))
        {
            live++;
        }
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
    }

    [Fact]
    public async Task Prometheus_endpoint_exports_the_cache_counters_by_route()
    {
        using var miss = await Client.GetAsync("/api/posts/");
        using var hit = await Client.GetAsync("/api/posts/");
        using var bypass = await Client.GetAsync("/api/posts/?nocache=true");
        using var update = await Client.PutAsync("/api/users/1", JsonContent("{\"name\":\"x\"}"));

        using var response = await Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Sample(text, "cachelayer_cache_hits_total", "/api/posts/"));
        Assert.Equal(1, Sample(text, "cachelayer_cache_misses_total", "/api/posts/"));
        Assert.Equal(1, Sample(text, "cachelayer_cache_bypasses_total", "/api/posts/"));
        Assert.Equal(1, Sample(text, "cachelayer_cache_invalidations_total", "/api/users/{id}"));
        Assert.Contains("cachelayer_cache_operation_duration_seconds_bucket", text);
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

    internal static double? Sample(string exposition, string metric, string route)
    {
        foreach (Match match in SampleLine().Matches(exposition))
        {
            if (match.Groups["name"].Value == metric && match.Groups["labels"].Value.Contains($"http_route=\"{route}\""))
            {
                return double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>.*)\} (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
