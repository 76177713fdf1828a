using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The layer's Redis client, connected in the background. Resolving the multiplexer connects
/// synchronously and, with Redis down, blocks for the client's connect timeout; behind this task it
/// happens once, off the host's start-up, and only requests that arrive while it is under way wait for it.
/// </summary>
internal sealed class RedisConnection(Func<IConnectionMultiplexer> connect)
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer = new(() => Task.Run(connect));

    public Task<IConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async Task<IDatabase> DatabaseAsync() => (await GetAsync()).GetDatabase();
}
