using StackExchange.Redis;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>One store shared by the integration tests; each test isolates itself with its own key prefix.</summary>
public sealed class CacheServerFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private CacheServer? _server;
    private ConnectionMultiplexer? _redis;

    public CacheServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public IDatabase Redis => (_redis ?? throw new InvalidOperationException("Not started.")).GetDatabase();

    public IServer RedisServer => _redis!.GetServers()[0];

    /// <summary>The store that was started, as it reports itself, e.g. <c>redis-server 7.0.15</c>.</summary>
    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await CacheServer.StartAsync();
        _redis = await _server.ConnectAsync();
        Description = await _server.DescribeAsync();
        var message = $"CacheServerFixture started {Description} on {_server.ConnectionString} (CI={Environment.GetEnvironmentVariable("CI") ?? "unset"}).";
        diagnostics.OnMessage(new DiagnosticMessage(message));
        Console.WriteLine(message);
    }

    /// <summary>
    /// How many cache entries live under <paramref name="keyPrefix"/>, found with SCAN (fine in a test,
    /// never in product code). The layer's bookkeeping (see <c>RedisLayout</c>) is not counted.
    /// </summary>
    public Task<int> CountEntriesAsync(string keyPrefix) => CountEntriesAsync(RedisServer, keyPrefix);

    public static async Task<int> CountEntriesAsync(IServer server, string keyPrefix) => (await EntryKeysAsync(server, keyPrefix)).Count;

    /// <summary>The Redis keys of the cache entries under <paramref name="keyPrefix"/> (SCAN; bookkeeping left out).</summary>
    public Task<List<string>> EntryKeysAsync(string keyPrefix) => EntryKeysAsync(RedisServer, keyPrefix);

    public static async Task<List<string>> EntryKeysAsync(IServer server, string keyPrefix)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // A plain path's entry starts with the prefix, a variant's with the path's hash tag.
        foreach (var pattern in new[] { EscapeGlob(keyPrefix) + "*", "{" + EscapeGlob(keyPrefix) + "*" })
        {
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                if (!StoredKeys.IsBookkeeping(key.ToString()))
                {
                    keys.Add(key.ToString());
                }
            }
        }
        return [.. keys];
    }

    /// <summary>The cache key a Redis entry key under <paramref name="keyPrefix"/> holds: the reverse of <c>RedisLayout.EntryKeyOf</c>.</summary>
    public static string CacheKeyOf(string redisKey, string keyPrefix) => redisKey.StartsWith('{')
        ? redisKey[(1 + keyPrefix.Length)..redisKey.IndexOf('}')] + redisKey[(redisKey.IndexOf('}') + 1)..]
        : redisKey[keyPrefix.Length..];

    private static string EscapeGlob(string text) =>
        string.Concat(text.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? $"\\{c}" : c.ToString()));

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
