using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class RedisClusterBuilderExtensions
{
    private const int Masters = 3;

    /// <summary>
    /// Adds a Redis Cluster of three masters on loopback as resource <paramref name="name"/>: three
    /// <c>redis-server --cluster-enabled yes</c> executables (<c>{name}-node-1</c> to <c>-3</c>, in memory
    /// only, evicting past <paramref name="memory"/> each) and <c>{name}-create</c>, which runs
    /// <c>redis-cli --cluster create</c> once all three answer PING. <paramref name="name"/> is Running once
    /// that has succeeded; its connection string lists the three nodes.
    /// </summary>
    public static IResourceBuilder<RedisClusterResource> AddRedisCluster(
        this IDistributedApplicationBuilder builder, string name, string redisServerPath, string redisCliPath, CacheStoreMemoryLimit memory)
    {
        var cluster = builder.AddResource(new RedisClusterResource(name))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RedisCluster",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .ExcludeFromManifest();

        // Node ids and slots live in each node's nodes.conf: a fresh directory per run, so no node
        // remembers the ports of a previous cluster. Fixed ports: a node announces its own port to
        // clients, so its endpoint must not be proxied; the cluster bus gets its own port, as the
        // default (port + 10000) may be taken or past 65535. (In publish mode all of this is left out
        // of the manifest; the placeholders only keep the model whole.)
        var directory = builder.ExecutionContext.IsRunMode
            ? Directory.CreateTempSubdirectory("cachelayer-cluster-").FullName
            : "cluster";
        var ports = builder.ExecutionContext.IsRunMode ? FreeLoopbackPort.Next(2 * Masters) : [.. Enumerable.Range(7000, 2 * Masters)];
        var nodes = Enumerable.Range(0, Masters)
            .Select(i => builder.AddClusterNode(cluster, $"{name}-node-{i + 1}", redisServerPath, Path.Combine(directory, $"node-{i + 1}"), ports[2 * i], ports[(2 * i) + 1], memory))
            .ToList();
        cluster.Resource.Nodes.AddRange(nodes.Select(node => node.Resource));

        var create = builder.AddExecutable($"{name}-create", redisCliPath, builder.AppHostDirectory,
                [
                    "--cluster", "create",
                    .. nodes.Select(node => $"127.0.0.1:{node.Resource.PrimaryEndpoint.TargetPort!.Value.ToString(CultureInfo.InvariantCulture)}"),
                    "--cluster-replicas", "0",
                    "--cluster-yes",
                ])
            .WithParentRelationship(cluster)
            .ExcludeFromManifest();
        foreach (var node in nodes)
        {
            create.WaitFor(node);
        }

        return cluster
            .WaitForCompletion(create)
            .OnInitializeResource((resource, e, cancellationToken) => StartAsync(resource, directory, e, cancellationToken));
    }

    private static IResourceBuilder<RedisServerResource> AddClusterNode(
        this IDistributedApplicationBuilder builder, IResourceBuilder<RedisClusterResource> cluster, string name,
        string redisServerPath, string directory, int port, int busPort, CacheStoreMemoryLimit memory)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(directory);
        }
        return builder.AddResource(new RedisServerResource(name, redisServerPath, builder.AppHostDirectory))
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp", port: port, targetPort: port, isProxied: false)
            .WithArgs(
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", directory,
                "--cluster-enabled", "yes",
                "--cluster-config-file", Path.Combine(directory, "nodes.conf"),
                "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture))
            .WithMemoryLimit(memory)
            .WithPingHealthCheck()
            .WithParentRelationship(cluster)
            .ExcludeFromManifest();
    }

    private static async Task StartAsync(RedisClusterResource resource, string directory, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean up with the rest of the temporary directory.
            }
        });

        await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Starting });
        try
        {
            // The nodes, then redis-cli --cluster create.
            await e.Notifications.WaitForDependenciesAsync(resource, cancellationToken);
        }
        catch (DistributedApplicationException ex)
        {
            e.Logger.LogError(ex, "The cluster was not created.");
            await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.FailedToStart });
            return;
        }

        await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, e.Services), cancellationToken);
        e.Logger.LogInformation("Redis Cluster of {Count} masters created: {ConnectionString}",
            resource.Nodes.Count, await resource.ConnectionStringExpression.GetValueAsync(cancellationToken));
        await e.Notifications.PublishUpdateAsync(resource, s => s with
        {
            State = KnownResourceStates.Running,
            StartTimeStamp = DateTime.UtcNow,
        });
    }
}
