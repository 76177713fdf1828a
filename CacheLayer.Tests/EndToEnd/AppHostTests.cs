using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>The real AppHost: the cache store and the API as separate processes, orchestrated by Aspire.</summary>
public class AppHostTests
{
    private const string AdminApiKey = "e2e-admin-key-0123456789abcdef";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    // This test is about orchestration and the seed flow, not timeouts: a loaded CI machine must not
    // turn a slow Redis answer into a bypass here.
    private const string StoreTimeout = "00:00:02";
    // The counts below are one process's (/metrics/cache and /metrics are per replica), so this test
    // runs one replica; ReplicaAppHostTests covers the default two.
    private const string OneReplica = "ApiReplicas=1";

    [Theory]
    [InlineData("auto")] // redis-server where installed (as in CI), else Garnet
    [InlineData("garnet")]
    public async Task The_apphost_serves_the_seed_flow_from_its_cache_and_exports_the_counters(string store)
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync([$"CacheStore={store}", OneReplica, $"Parameters:admin-api-key={AdminApiKey}", $"CacheLayer:OperationTimeout={StoreTimeout}"], StartTimeout, cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cancellationToken).WaitAsync(StartTimeout, cancellationToken);

        using var client = app.CreateHttpClient("api");
        client.Timeout = RequestTimeout;

        using var miss = await client.GetAsync("/api/posts/", cancellationToken);
        using var hit = await client.GetAsync("/api/posts", cancellationToken);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await hit.Content.ReadAsStringAsync(cancellationToken));

        using var user = await client.GetAsync("/api/users/1", cancellationToken);
        using var update = await client.PutAsJsonAsync("/api/users/1", new { name = "Updated User A" }, cancellationToken);
        using var updated = await client.GetAsync("/api/users/1", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("MISS", updated.XCache());
        Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Updated User A\"}}", await updated.Content.ReadAsStringAsync(cancellationToken));

        using var refused = await client.GetAsync("/metrics/cache", cancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        client.DefaultRequestHeaders.Add("X-Api-Key", AdminApiKey);
        using var statistics = JsonDocument.Parse(await client.GetStringAsync("/metrics/cache", cancellationToken));
        Assert.Equal(1, statistics.RootElement.GetProperty("hits").GetInt64());
        Assert.Equal(3, statistics.RootElement.GetProperty("misses").GetInt64());
        Assert.Equal(2, statistics.RootElement.GetProperty("total_cached_keys").GetInt64());
        using var deleted = await client.DeleteAsync("/api/cache?key=GET:/api/posts/", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        var exposition = PrometheusSamples.Parse(await client.GetStringAsync("/metrics", cancellationToken));
        Assert.Equal(1, exposition.Single("cachelayer_cache_hits_total",
            PrometheusSamples.CacheScope, ("cachelayer_tier", hit.HitTier()), ("http_route", "/api/posts/")));
        Assert.Single(exposition.Matching("cachelayer_cache_hits_total", ("http_route", "/api/posts/")));
        Assert.Equal(2, exposition.Single("cachelayer_cache_misses_total", PrometheusSamples.CacheScope, ("http_route", "/api/users/{id}")));
    }
}
