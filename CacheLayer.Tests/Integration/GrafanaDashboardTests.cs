using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.Integration.Stale;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// <c>grafana/cachelayer.json</c>: the panels issue 13 asks for, provisioned against the data source it
/// names, and every metric and label it queries present in the API's real <c>/metrics</c> after traffic
/// that produces each of them (on a store of its own, which the test stops to open the circuit).
/// </summary>
[Collection(CacheServerCollection.Name)] // run alone: the OpenTelemetry exporters see every API instance's meter
public sealed class GrafanaDashboardTests : IAsyncLifetime
{
    private static readonly string[] PanelTitles =
    [
        "Hit ratio per route and tier",
        "Hits, misses, bypasses and collapsed per second",
        "Stale served per second",
        "Circuit state",
        "Circuit transitions",
        "Invalidations applied per second",
        "Invalidations pending",
        "Redis operation p50 and p99 per operation",
        "Memory tier bytes",
        "Memory tier entries",
    ];

    // Prometheus adds these to every series when it scrapes; /metrics itself does not carry them.
    private static readonly string[] ScrapeLabels = ["job", "instance"];

    private CacheServer _server = null!;

    public async Task InitializeAsync() => _server = await CacheServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void The_dashboard_has_the_issues_panels_and_reads_the_provisioned_prometheus()
    {
        var dashboard = GrafanaDashboard.Load();

        Assert.Equal("cachelayer", dashboard.Root.GetProperty("uid").GetString());
        Assert.Equal("CacheLayer", dashboard.Root.GetProperty("title").GetString());
        Assert.Equal(PanelTitles.Order(), dashboard.Panels.Select(panel => panel.GetProperty("title").GetString()!).Intersect(PanelTitles).Order());
        Assert.All(dashboard.Panels, panel =>
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), target => Assert.NotEmpty(target.GetProperty("expr").GetString()!));
        });

        // The data source variable defaults to the provisioned data source; a hand import picks any Prometheus.
        var variable = dashboard.Root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(entry => entry.GetProperty("name").GetString() == "datasource");
        Assert.Equal("prometheus", variable.GetProperty("query").GetString());
        var datasources = File.ReadAllText(Path.Combine(GrafanaDashboard.Folder, "provisioning", "datasources", "prometheus.yml"));
        Assert.Matches(@"\n\s+uid: " + Regex.Escape(variable.GetProperty("current").GetProperty("value").GetString()!) + @"\s*\n", datasources);
        Assert.Matches(@"\n\s+type: prometheus\s*\n", datasources);
        Assert.Matches(@"\n\s+url: \$\{PROMETHEUS_URL\}\s*\n", datasources);
        var provider = File.ReadAllText(Path.Combine(GrafanaDashboard.Folder, "provisioning", "dashboards", "cachelayer.yml"));
        Assert.Matches(@"\n\s+path: /var/lib/grafana/dashboards\s*\n", provider);
    }

    [Fact]
    public async Task Every_metric_and_label_the_dashboard_queries_is_in_the_apis_metrics_after_traffic()
    {
        var queries = GrafanaDashboard.Load().Queries();
        var settings = new Dictionary<string, string> { ["Demo:Ttl:Users"] = "00:00:01" }; // expires, for a stale answer
        await using var api = new ApiFactory(_server.ConnectionString) { OriginLatencyMs = 200, Settings = settings };
        using var client = api.CreateClient(new() { HandleCookies = false });
        await api.WaitUntilMemoryTierActiveAsync();
        await api.WaitUntilStoreConnectedAsync();

        // Collapsed: identical misses at once, one origin call. Then a hit from memory, and a bypass.
        var stampede = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => StatusAsync(client, "/api/posts/")));
        Assert.Contains("CacheLayer; fwd=miss; collapsed", stampede);
        Assert.EndsWith("; detail=memory", await StatusAsync(client, "/api/posts/"));
        Assert.Contains("fwd=bypass", await StatusAsync(client, "/api/posts/?nocache=true"));

        // A hit from Redis: stored by another instance, so not in this one's memory. That instance is gone
        // before /metrics is read: the exporter sees every live instance's meter and would mix in its gauges.
        await using (var other = new ApiFactory(_server.ConnectionString) { KeyPrefix = api.KeyPrefix, Settings = { ["CacheLayer:MemoryTier:Enabled"] = "false" } })
        {
            await other.WaitUntilStoreConnectedAsync();
            using var otherClient = other.CreateClient();
            Assert.Equal("CacheLayer; fwd=miss; stored", await StatusAsync(otherClient, "/api/posts/?page=2"));
        }
        Assert.Matches(@"^CacheLayer; hit; ttl=\d+$", await StatusAsync(client, "/api/posts/?page=2")); // no detail: not memory

        // Stale: past its 1 s TTL, within the stale-while-revalidate window.
        Assert.Equal("CacheLayer; fwd=miss; stored", await StatusAsync(client, "/api/users/1"));
        using (var connection = await _server.ConnectAsync())
        {
            await StaleKit.UntilGoneAsync(connection.GetDatabase(), api.RedisKey(StaleKit.UserKey));
        }
        Assert.Contains("detail=stale-while-revalidate", await StatusAsync(client, "/api/users/1"));

        // An invalidation applied; then the store stops: an error, the circuit opens, an invalidation waits.
        using var update = await client.PutAsJsonAsync("/api/users/1", new { name = "Renamed" });
        update.EnsureSuccessStatusCode();
        await _server.StopAsync();
        Assert.Contains("store-unavailable", await StatusAsync(client, "/api/posts/?page=3"));
        using var whileDown = await client.PutAsJsonAsync("/api/users/2", new { name = "Renamed while down" });
        Assert.Equal(HttpStatusCode.OK, whileDown.StatusCode);

        var samples = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, samples.Single("cachelayer_cache_circuit_open", PrometheusSamples.CacheScope));
        Assert.Equal(1, samples.Single("cachelayer_cache_invalidations_pending", PrometheusSamples.CacheScope));
        Assert.All(queries, query =>
        {
            Assert.NotEmpty(query.Metrics);
            foreach (var metric in query.Metrics)
            {
                Assert.True(samples.Named(metric).Count > 0, $"{query.Panel}: no series of {metric} in /metrics; query: {query.Text}");
            }
            var series = query.Metrics.SelectMany(samples.Named).ToList();
            foreach (var label in query.Labels.Except(ScrapeLabels))
            {
                Assert.True(series.Any(sample => sample.Labels.ContainsKey(label)),
                    $"{query.Panel}: no series of {string.Join(", ", query.Metrics)} has the label {label}; query: {query.Text}");
            }
        });
    }

    private static async Task<string> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.CacheStatus() ?? "";
    }
}
