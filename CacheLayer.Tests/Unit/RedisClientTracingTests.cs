using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.Unit;

/// <summary>
/// The layer's Redis client traces its commands only when the host says so through Aspire's own setting:
/// Aspire's StackExchange.Redis profiling holds every traced request and its commands for seconds.
/// </summary>
public class RedisClientTracingTests
{
    // What Aspire registers for a client whose commands it traces.
    private const string RedisInstrumentation = "OpenTelemetry.Instrumentation.StackExchangeRedis.StackExchangeRedisInstrumentation";

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("Aspire:StackExchange:Redis:cache:DisableTracing", "false", true)]
    [InlineData("Aspire:StackExchange:Redis:DisableTracing", "false", true)]
    [InlineData("Aspire:StackExchange:Redis:cache:DisableTracing", "true", false)]
    public void The_layers_client_traces_only_when_the_aspire_setting_asks(string? key, string? value, bool traced)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:cache"] = "127.0.0.1:1";
        if (key is not null)
        {
            builder.Configuration[key] = value;
        }

        builder.AddCacheLayer("cache");

        Assert.Equal(traced, builder.Services.Any(service => service.ServiceType.FullName == RedisInstrumentation));
    }
}
