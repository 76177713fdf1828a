using CacheLayer.AspNetCore.Admin;
using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Pipeline;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the cache layer.</summary>
public static class CacheLayerHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers the Redis-backed response cache: its own Redis client for the connection string
    /// <paramref name="connectionName"/> (an Aspire resource name, or <c>ConnectionStrings:{name}</c>),
    /// set up as the layer needs it (start without Redis, fail fast while it is away, reconnect
    /// promptly), its options from the <c>CacheLayer</c> section, validated at start-up, and a
    /// <c>cache-store</c> health check that reports a down store as Degraded. The client is a keyed
    /// service under <paramref name="connectionName"/>, so it never replaces the host's own.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="connectionName">The connection string's name.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    public static TBuilder AddCacheLayer<TBuilder>(this TBuilder builder, string connectionName = "cache", Action<CacheLayerOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        if (builder.Services.Any(service => service.ServiceType == typeof(CacheStoreGuard)))
        {
            throw new InvalidOperationException("AddCacheLayer was called twice; call it once per host.");
        }

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

        var options = builder.Services.AddOptions<CacheLayerOptions>().BindConfiguration(CacheLayerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheLayerOptions>, CacheLayerOptionsValidator>());
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, CacheLayerJsonContext.Default));

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CacheStatistics>();
        services.AddSingleton(provider => new RedisConnection(() => provider.GetRequiredKeyedService<IConnectionMultiplexer>(connectionName)));
        services.AddSingleton(provider => new RedisLayout(provider.GetRequiredService<IOptions<CacheLayerOptions>>().Value.KeyPrefix));
        services.AddSingleton<RedisInvalidations>();
        services.AddSingleton<IResponseCacheStore, RedisResponseCacheStore>();
        services.AddSingleton<CacheCircuit>();
        services.AddSingleton<PendingInvalidations>();
        services.AddSingleton<CacheStoreGuard>();
        services.AddSingleton<ReplicaIdentity>();
        services.AddSingleton<InvalidationSync>();
        services.AddSingleton<MemoryTier>();
        services.AddSingleton<RedisInvalidationLog>();
        services.AddSingleton<InvalidationFeed>();
        services.AddSingleton<SharedReads>();
        services.AddSingleton<Inflight<CacheEntry>>();
        services.AddSingleton<OriginBackoff>();
        services.AddCacheLayerPipeline();
        services.AddSingleton<ProcessCaches>();
        services.AddSingleton<CacheInvalidator>();
        services.AddSingleton<ICacheInvalidator>(provider => provider.GetRequiredService<CacheInvalidator>());
        services.AddSingleton<CacheStatisticsReport>();
        services.AddSingleton<RedisStatistics>();
        services.AddSingleton<CacheRecoveryService>();
        services.AddSingleton<InvalidationLogReader>();
        services.AddHostedService(provider => provider.GetRequiredService<InvalidationLogReader>());
        services.AddHostedService(provider => provider.GetRequiredService<CacheRecoveryService>());
        services.AddHostedService<CacheJanitorService>();
        services.AddTransient<IStartupFilter, CacheEndpointsCheck>();
        services.AddHostedService<StatisticsPublisherService>();
        // First of all start-up filters, so its middleware is outermost and its OnStarting callback runs last.
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, ResponseStartHook.StartupFilter>());
        services.AddHealthChecks().AddCheck<CacheStoreHealthCheck>(CacheStoreHealthCheck.Name);
        return builder;
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
