using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// Waits until a started host's Redis client is connected. On a loaded machine the first connection attempt can
/// outlast the client's 1 s connect timeout; requests are then (rightly) served as store-unavailable until it
/// reconnects, which a test of caching must not start in.
/// </summary>
public static class StoreConnection
{
    public static async Task WaitAsync(IServiceProvider services, string connectionName = "cache")
    {
        var redis = services.GetRequiredKeyedService<IConnectionMultiplexer>(connectionName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!redis.IsConnected)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
