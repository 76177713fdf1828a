using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CacheLayer.Api.Caching;

/// <summary>
/// The Redis client, connected in the background. Resolving <see cref="IConnectionMultiplexer"/>
/// connects synchronously and, with Redis down, blocks for the client's connect timeout; behind this
/// task it happens once, off the host's start-up, and only requests that arrive while it is under
/// way wait for it.
/// </summary>
public sealed class RedisConnection(IServiceProvider services)
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer =
        new(() => Task.Run(services.GetRequiredService<IConnectionMultiplexer>));

    public Task<IConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async Task<IDatabase> DatabaseAsync() => (await GetAsync()).GetDatabase();
}
