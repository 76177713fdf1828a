using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>The real AppHost with <c>CacheStore=redis-cluster</c>: three redis-server masters as resource <c>cache</c>, the API's replicas unchanged on it.</summary>
public class RedisClusterAppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_apphost_runs_the_cache_on_a_three_master_cluster_and_the_api_caches_on_it()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync(["CacheStore=redis-cluster", "CacheStoreMaxMemory=64mb", "CacheLayer:OperationTimeout=00:00:02"], StartTimeout, cancellationToken);
        // Both default replicas: the endpoint balances over them, so a request must not meet one still starting.
        await app.WaitForHealthyReplicasAsync("api", 2, cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        // The dashboard shows every node, and the redis-cli run that joined them.
        foreach (var node in new[] { "cache-node-1", "cache-node-2", "cache-node-3" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(node, cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        }
        Assert.True(app.ResourceNotifications.TryGetCurrentState("cache-create", out var create));
        Assert.Equal(0, create.Snapshot.ExitCode);

        var connectionString = await app.GetConnectionStringAsync("cache", cancellationToken);
        var options = ConfigurationOptions.Parse(connectionString!);
        options.AllowAdmin = true;
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(options))
        {
            Assert.Equal(3, options.EndPoints.Count);
            var masters = redis.GetServers().Where(server => !server.IsReplica).ToList();
            Assert.Equal(3, masters.Count);
            foreach (var master in masters)
            {
                Assert.Contains("cluster_state:ok", (await master.ExecuteAsync("CLUSTER", "INFO")).ToString());
                var config = (await master.ConfigGetAsync("maxmemory*")).ToDictionary(pair => pair.Key, pair => pair.Value);
                Assert.Equal((64L << 20).ToString(CultureInfo.InvariantCulture), config["maxmemory"]);
                Assert.Equal("allkeys-lru", config["maxmemory-policy"]);
            }
        }

        using var client = app.CreateHttpClient("api");
        client.Timeout = RequestTimeout;
        using var miss = await client.GetAsync("/api/posts/", cancellationToken);
        using var hit = await client.GetAsync("/api/posts/", cancellationToken); // from the store, whichever replica answers
        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await hit.Content.ReadAsStringAsync(cancellationToken));
    }
}
