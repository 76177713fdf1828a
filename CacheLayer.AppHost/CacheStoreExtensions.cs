using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class CacheStoreExtensions
{
    /// <summary>
    /// Adds the Redis-compatible store chosen by the <c>CacheStore</c> setting as resource <paramref name="name"/>,
    /// bounded by <c>CacheStoreMaxMemory</c>, with a health check that passes once the store answers PING
    /// (a cluster: once every node reports <c>cluster_state:ok</c>).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCacheStore(
        this IDistributedApplicationBuilder builder, string name)
    {
        var selection = CacheStoreSelection.Resolve(
            builder.Configuration[CacheStoreSelection.ConfigurationKey],
            builder.ExecutionContext.IsPublishMode,
            builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"]);
        var memory = CacheStoreMemoryLimit.Parse(builder.Configuration[CacheStoreMemoryLimit.ConfigurationKey]);

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>()
                .CreateLogger(typeof(CacheStoreExtensions).Namespace!)
                .LogInformation("Cache store '{Name}': {Mode} ({Reason}); memory limit: {MaxMemory}", name, selection.Mode, selection.Reason,
                    selection.Mode == CacheStoreMode.RedisContainer ? "none set by the AppHost" : $"{memory} bytes");
            return Task.CompletedTask;
        });

        return selection.Mode switch
        {
            CacheStoreMode.RedisServer => builder.AddRedisServer(name, selection.RedisServerPath!, memory).WithPingHealthCheck(),
            CacheStoreMode.RedisCluster => builder.AddRedisCluster(name, selection.RedisServerPath!, selection.RedisCliPath!, memory).WithClusterHealthCheck(),
            // As Aspire.Hosting.Redis configures it: no memory limit from here (its arguments go through a shell).
            CacheStoreMode.RedisContainer => builder.AddRedis(name).WithPingHealthCheck(),
            CacheStoreMode.Garnet => builder.AddGarnet(name, memory).WithPingHealthCheck(),
            _ => throw new InvalidOperationException($"Unresolved cache store mode {selection.Mode}."),
        };
    }

    internal static IResourceBuilder<T> WithPingHealthCheck<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString =>
        builder.WithRedisHealthCheck("ping", resource => new RedisPingHealthCheck(resource));

    private static IResourceBuilder<RedisClusterResource> WithClusterHealthCheck(this IResourceBuilder<RedisClusterResource> builder) =>
        builder.WithRedisHealthCheck("cluster", resource => new RedisClusterHealthCheck(resource));

    private static IResourceBuilder<T> WithRedisHealthCheck<T>(
        this IResourceBuilder<T> builder, string kind, Func<T, IHealthCheck> create)
        where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}_{kind}";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key,
            _ => create(builder.Resource),
            failureStatus: HealthStatus.Unhealthy,
            tags: null));
        return builder.WithHealthCheck(key);
    }
}
