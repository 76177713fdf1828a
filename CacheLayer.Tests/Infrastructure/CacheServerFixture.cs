using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>One store shared by the integration tests; each test isolates itself with its own key prefix.</summary>
public sealed class CacheServerFixture : IAsyncLifetime
{
    private CacheServer? _server;
    private ConnectionMultiplexer? _redis;

    public CacheServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public IDatabase Redis => (_redis ?? throw new InvalidOperationException("Not started.")).GetDatabase();

    public IServer RedisServer => _redis!.GetServers()[0];

    public async Task InitializeAsync()
    {
        _server = await CacheServer.StartAsync();
        _redis = await _server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CacheServerCollection : ICollectionFixture<CacheServerFixture>
{
    public const string Name = "cache server";
}
