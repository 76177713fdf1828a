using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>The layer's Redis client and the Redis implementations of the store contracts: nothing outside <c>Storage/</c> names a Redis type.</summary>
internal static class RedisStorageRegistration
{
    /// <summary>
    /// The layer's own Redis client, a keyed Aspire client under <paramref name="connectionName"/> (never the host's),
    /// set up as the layer needs it, and the stores on it.
    /// </summary>
    public static void AddCacheLayerRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        // The Redis client logs each connect at Information, some 40 lines: only Warning and worse, unless
        // the host set a level for it itself.
        if (!builder.Configuration.GetSection("Logging:LogLevel").GetChildren()
            .Any(level => level.Key.StartsWith("StackExchange.Redis", StringComparison.OrdinalIgnoreCase)))
        {
            builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        }

        builder.AddKeyedRedisClient(connectionName, settings =>
        {
            settings.DisableHealthChecks = true;
            if (!TracingConfigured(builder.Configuration, connectionName))
            {
                settings.DisableTracing = true;
            }
        }, ConfigureClient);
    }

    /// <summary>Registers the stores on the keyed Redis client <paramref name="connectionName"/>.</summary>
    public static IServiceCollection AddRedisStorage(this IServiceCollection services, string connectionName)
    {
        services.AddSingleton(provider => new RedisConnection(() => provider.GetRequiredKeyedService<IConnectionMultiplexer>(connectionName)));
        services.AddSingleton(provider => new RedisLayout(provider.GetRequiredService<IOptions<CacheLayerOptions>>().Value.KeyPrefix));
        services.AddSingleton<RedisClock>();
        services.AddSingleton<RedisIndexBatch>();
        services.AddSingleton<RedisInvalidations>();
        services.AddSingleton<IResponseCacheStore, RedisResponseCacheStore>();
        services.AddSingleton<IInvalidationLogStore, RedisInvalidationLog>();
        services.AddSingleton<IStoreReplication, RedisReplication>();
        services.AddSingleton<IStatisticsStore, RedisStatistics>();
        return services;
    }

    /// <summary>
    /// Whether the host configured the Aspire client's tracing itself
    /// (<c>Aspire:StackExchange:Redis[:{name}]:DisableTracing</c>); if not, the layer's client does not trace.
    /// Aspire traces a client's commands through StackExchange.Redis profiling, which holds every traced
    /// request's <see cref="System.Diagnostics.Activity"/> and each command it sent (keys, arguments, the
    /// stored entry's bytes) for up to 10 s before turning them into spans: under a flood of misses, tens
    /// of thousands of requests' worth that outlive the youngest GC generation and swell the heap to
    /// hundreds of MiB. The layer's store calls are timed by <c>cachelayer.cache.operation.duration</c>.
    /// </summary>
    private static bool TracingConfigured(IConfiguration configuration, string connectionName) =>
        configuration[$"Aspire:StackExchange:Redis:{connectionName}:DisableTracing"] is not null
        || configuration["Aspire:StackExchange:Redis:DisableTracing"] is not null;

    private static void ConfigureClient(ConfigurationOptions redis)
    {
        // The cache is optional: start without it, and fail calls at once while it is away instead of
        // queueing them, so requests fall back to the origin without waiting.
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        // Reconnect promptly after an outage, rather than backing off exponentially.
        redis.ReconnectRetryPolicy = new LinearRetry(500);
        // Bounds the first connection attempt, which the first requests wait for (see IResponseCacheStore.Connected).
        redis.ConnectTimeout = 1000;
        redis.ConnectRetry = 1;
    }
}
