using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// A real Redis-compatible store on a free loopback port: <c>redis-server</c> when it is on PATH,
/// else embedded Garnet. With <c>CI=true</c>, redis-server is required.
/// </summary>
public abstract class CacheServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    protected CacheServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public abstract string Kind { get; }

    public static async Task<CacheServer> StartAsync()
    {
        var redisServer = RedisServerProcess.FindExecutable();
        if (redisServer is null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true but redis-server is not on PATH; CI must install it.");
        }

        CacheServer server = redisServer is null
            ? new EmbeddedGarnet(FreePort.Next())
            : new RedisServerProcess(redisServer, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the store (again, after <see cref="StopAsync"/>) on the same port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        Launch();
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            try
            {
                await using var probe = await ConnectAsync();
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    public abstract Task StopAsync();

    /// <summary>
    /// Which store this is, from the store itself: <see cref="Kind"/> and the version <c>INFO server</c>
    /// reports (<c>garnet_version</c> for Garnet, <c>redis_version</c> otherwise), e.g. <c>redis-server 7.0.15</c>.
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        await using var connection = await ConnectAsync();
        var info = (await connection.GetServers()[0].InfoAsync("server"))
            .SelectMany(section => section)
            .DistinctBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        var version = info.GetValueOrDefault("garnet_version") ?? info.GetValueOrDefault("redis_version") ?? "(version not reported)";
        return $"{Kind} {version}";
    }

    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { ConnectionString },
            AllowAdmin = true,
            ConnectTimeout = 2000,
        });

    protected abstract void Launch();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }
}
