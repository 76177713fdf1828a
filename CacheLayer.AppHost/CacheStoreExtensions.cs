using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class CacheStoreExtensions
{
    /// <summary>
    /// Adds the Redis-compatible store chosen by the <c>CacheStore</c> setting as resource <paramref name="name"/>,
    /// with a health check that passes once the store answers PING.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCacheStore(
        this IDistributedApplicationBuilder builder, string name)
    {
        var selection = CacheStoreSelection.Resolve(
            builder.Configuration[CacheStoreSelection.ConfigurationKey],
            builder.ExecutionContext.IsPublishMode,
            builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"]);

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>()
                .CreateLogger(typeof(CacheStoreExtensions).Namespace!)
                .LogInformation("Cache store '{Name}': {Mode} ({Reason})", name, selection.Mode, selection.Reason);
            return Task.CompletedTask;
        });

        IResourceBuilder<IResourceWithConnectionString> store = selection.Mode switch
        {
            CacheStoreMode.RedisServer => builder.AddRedisServer(name, selection.RedisServerPath!),
            CacheStoreMode.RedisContainer => builder.AddRedis(name),
            CacheStoreMode.Garnet => builder.AddGarnet(name),
            _ => throw new InvalidOperationException($"Unresolved cache store mode {selection.Mode}."),
        };

        return store.WithPingHealthCheck();
    }

    private static IResourceBuilder<T> WithPingHealthCheck<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}_ping";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key,
            _ => new RedisPingHealthCheck(builder.Resource),
            failureStatus: HealthStatus.Unhealthy,
            tags: null));
        return builder.WithHealthCheck(key);
    }
}
