using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// A throw-away Redis Cluster of three masters (no replicas) on free loopback ports: three
/// <c>redis-server --cluster-enabled yes</c>, each in its own temporary directory, joined by
/// <c>redis-cli --cluster create</c>. Needs both on PATH, with or without <c>CI=true</c>: Garnet
/// cannot stand in here, and a cluster test that quietly ran on one node would prove nothing.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    public const int Masters = 3;
    private const int Slots = 16384;
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServerProcess> _nodes = [];
    private readonly List<DirectoryInfo> _directories = [];

    private RedisCluster()
    {
    }

    public IReadOnlyList<int> Ports => [.. _nodes.Select(node => node.Port)];

    /// <summary>Every node, comma-separated: StackExchange.Redis discovers the cluster from any of them.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(node => node.ConnectionString));

    public static async Task<RedisCluster> StartAsync()
    {
        var redisServer = RedisServerProcess.RequireExecutable("redis-server");
        var redisCli = RedisServerProcess.RequireExecutable("redis-cli");
        var cluster = new RedisCluster();
        try
        {
            // The cluster bus gets its own free port: the default (port + 10000) may be taken, or past 65535.
            var ports = DistinctFreePorts(2 * Masters);
            for (var i = 0; i < Masters; i++)
            {
                var directory = Directory.CreateTempSubdirectory("cachelayer-cluster-node-");
                cluster._directories.Add(directory);
                var port = ports[2 * i];
                cluster._nodes.Add(new RedisServerProcess(redisServer, port,
                [
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", Path.Combine(directory.FullName, $"nodes-{port}.conf"),
                    "--cluster-port", ports[(2 * i) + 1].ToString(CultureInfo.InvariantCulture),
                    "--dir", directory.FullName,
                ]));
            }
            await Task.WhenAll(cluster._nodes.Select(node => node.StartAgainAsync()));
            await cluster.CreateAsync(redisCli);
            await cluster.WaitUntilReadyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task CreateAsync(string redisCli)
    {
        var start = new ProcessStartInfo(redisCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--cluster", "create" }
            .Concat(_nodes.Select(node => node.ConnectionString))
            .Concat(["--cluster-replicas", "0", "--cluster-yes"]))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CreateTimeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"redis-cli --cluster create exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    /// <summary>Polls <c>CLUSTER INFO</c> on every node until each reports <c>cluster_state:ok</c> with all slots assigned.</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        var last = "";
        foreach (var node in _nodes)
        {
            await using var connection = await node.ConnectAsync();
            var server = connection.GetServer(node.ConnectionString);
            while (true)
            {
                last = (await server.ExecuteAsync("CLUSTER", "INFO")).ToString();
                if (last.Contains("cluster_state:ok", StringComparison.Ordinal)
                    && last.Contains($"cluster_slots_assigned:{Slots}", StringComparison.Ordinal))
                {
                    break;
                }
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"The cluster node {node.ConnectionString} is not ready after {ReadyTimeout}:\n{last}");
                }
                await Task.Delay(50);
            }
        }
    }

    private static int[] DistinctFreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(FreePort.Next());
        }
        return [.. ports];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        foreach (var directory in _directories)
        {
            directory.Delete(recursive: true);
        }
    }
}
