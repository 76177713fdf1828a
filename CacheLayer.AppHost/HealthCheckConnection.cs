using StackExchange.Redis;

namespace CacheLayer.AppHost;

/// <summary>
/// A short-lived connection for one health check: it fails fast, and keeps no client alive past the
/// store or the AppHost (checks are seconds apart).
/// </summary>
internal static class HealthCheckConnection
{
    private const int TimeoutMilliseconds = 2000;

    public static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = TimeoutMilliseconds;
        options.SyncTimeout = TimeoutMilliseconds;
        options.AsyncTimeout = TimeoutMilliseconds;
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
