using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Api.Caching;

public static class ResponseCachingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Redis-backed response cache. Expects an <c>IConnectionMultiplexer</c>
    /// (e.g. from Aspire's <c>AddRedisClient</c>, with its own health check off: the layer's
    /// <see cref="CacheStoreHealthCheck"/> reports a down store as Degraded, not Unhealthy);
    /// settings come from the <c>CacheLayer</c> section.
    /// </summary>
    public static TBuilder AddResponseCachingLayer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ResponseCachingOptions>()
            .BindConfiguration(ResponseCachingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<CacheMetrics>();
        builder.Services.TryAddSingleton<CacheStatistics>();
        builder.Services.TryAddSingleton<RedisConnection>();
        builder.Services.TryAddSingleton<IResponseCacheStore, RedisResponseCacheStore>();
        builder.Services.TryAddSingleton<CacheCircuit>();
        builder.Services.TryAddSingleton<CacheStoreGuard>();
        builder.Services.AddOptions<MemoryTierOptions>()
            .BindConfiguration(MemoryTierOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<MemoryTier>();
        builder.Services.AddHostedService<CacheInvalidationSubscriber>();
        builder.Services.TryAddSingleton<Inflight<CapturedResponse>>();
        builder.Services.TryAddSingleton<Inflight<StoreCallResult<CacheEntry?>>>();
        builder.Services.TryAddSingleton<CacheInvalidator>();
        builder.Services.AddSingleton<CacheRecoveryService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CacheRecoveryService>());
        builder.Services.AddHostedService<CacheJanitorService>();
        builder.Services.AddHealthChecks().AddCheck<CacheStoreHealthCheck>(CacheStoreHealthCheck.Name);
        return builder;
    }
}
