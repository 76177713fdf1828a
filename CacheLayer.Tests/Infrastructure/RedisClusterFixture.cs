using StackExchange.Redis;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// One 3-master <see cref="RedisCluster"/> shared by the cluster tests. They run the API with no
/// KeyPrefix, as a cluster user would, so each test starts from empty masters (<see cref="ResetAsync"/>).
/// </summary>
public sealed class RedisClusterFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private RedisCluster? _cluster;
    private ConnectionMultiplexer? _redis;

    public string ConnectionString => Cluster.ConnectionString;

    public IConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("Not started.");

    public IDatabase Database => Redis.GetDatabase();

    private RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    /// <summary>The masters, as the client sees them (every node is one: the cluster has no replicas).</summary>
    public IReadOnlyList<IServer> Masters => [.. Redis.GetServers().Where(server => !server.IsReplica)];

    public async Task InitializeAsync()
    {
        _cluster = await RedisCluster.StartAsync();
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AllowAdmin = true;
        options.ConnectTimeout = 2000;
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        if (Masters.Count != RedisCluster.Masters)
        {
            throw new InvalidOperationException($"The client sees {Masters.Count} masters, not {RedisCluster.Masters}.");
        }
        var message = $"RedisClusterFixture started {RedisCluster.Masters} masters on {ConnectionString}.";
        diagnostics.OnMessage(new DiagnosticMessage(message));
        Console.WriteLine(message);
    }

    /// <summary>The API on the cluster with no KeyPrefix (not started until first used).</summary>
    public ApiFactory CreateApi(int originLatencyMs = 0) =>
        new(ConnectionString) { KeyPrefix = "", OriginLatencyMs = originLatencyMs };

    /// <summary>Empties every master (FLUSHALL on each): the tests share the cluster and write with no prefix.</summary>
    public Task ResetAsync() => Task.WhenAll(Masters.Select(master => master.FlushAllDatabasesAsync()));

    /// <summary>The layer's keys on each master, in <see cref="Masters"/> order.</summary>
    public async Task<IReadOnlyList<StoredKeys>> KeysPerMasterAsync() =>
        await Task.WhenAll(Masters.Select(master => StoredKeys.ScanAsync(master)));

    /// <summary>How many cache entries the cluster holds, on all masters together.</summary>
    public async Task<int> CountEntriesAsync() => (await KeysPerMasterAsync()).Sum(keys => keys.Entries.Count);

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis cluster";
}
