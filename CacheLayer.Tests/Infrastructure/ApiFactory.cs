using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// The API in-process against a real store. Every factory writes under its own key prefix, so tests
/// sharing one store never see each other's keys; the cluster tests set <see cref="KeyPrefix"/> to ""
/// (as a cluster user would) and empty the store between tests instead.
/// </summary>
public sealed class ApiFactory(string connectionString, string? adminApiKey = ApiFactory.AdminApiKey, TimeProvider? time = null)
    : WebApplicationFactory<Program>
{
    public const string AdminApiKey = "test-admin-key-0123456789";

    /// <summary>The secret per-user keys are hashed with.</summary>
    public const string UserKeySalt = "test-user-key-salt-0123456789";

    public string KeyPrefix { get; init; } = $"t{Guid.NewGuid():N}"[..9] + ":";

    /// <summary>Simulated origin latency; none unless a test needs a window for races.</summary>
    public int OriginLatencyMs { get; init; }

    /// <summary>Further configuration, e.g. <c>CacheLayer:MaxKeyLength</c>.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>
    /// For a fake clock that jumps ahead: the replica stays current with the invalidation log and memory
    /// entries live their whole TTL, so only what the test means to time runs out.
    /// </summary>
    public static Dictionary<string, string> SettingsForAJumpingClock => new()
    {
        ["CacheLayer:MemoryTier:MaxLag"] = "00:10:00",
        ["CacheLayer:MemoryTier:MaxAge"] = "01:00:00",
    };

    /// <summary>Replaces or adds services after the API registered its own, e.g. an origin a test can hold.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>Log lines the API wrote, for asserting what it never says.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The Redis key of a cache key, as this factory's API writes it (see <c>RedisLayout</c>).</summary>
    public string RedisKey(string cacheKey) => new RedisLayout(KeyPrefix).EntryKeyOf(CacheKey.PathOf(cacheKey), cacheKey).ToString();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Starts the API and waits until its memory tier is active, which it becomes once it has read the
    /// invalidation log (asynchronously, after start): before that, hits are served from Redis.
    /// </summary>
    /// <remarks>
    /// On a fake clock, the reader's next poll after a failed first read (a client not connected yet, on a
    /// loaded machine) waits for that clock: it is moved on by a poll interval while the tier is inactive.
    /// </remarks>
    public async Task WaitUntilMemoryTierActiveAsync()
    {
        _ = Server;
        var tier = Service<MemoryTier>();
        var pollInterval = Service<IOptions<CacheLayerOptions>>().Value.MemoryTier.PollInterval;
        await Eventually.TrueAsync(() =>
        {
            if (tier.IsActive)
            {
                return true;
            }
            (time as FakeTimeProvider)?.Advance(pollInterval);
            return false;
        }, timeoutSeconds: 30);
    }

    /// <summary>
    /// Starts the API and waits until its Redis client is connected. On a loaded machine the first
    /// connection attempt can outlast the client's 1 s connect timeout; requests are then (rightly)
    /// served as store-unavailable until it reconnects, which a test of caching must not start in.
    /// </summary>
    public async Task WaitUntilStoreConnectedAsync()
    {
        _ = Server;
        var redis = Services.GetRequiredKeyedService<StackExchange.Redis.IConnectionMultiplexer>("cache");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!redis.IsConnected)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminApiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:cache", connectionString);
        builder.UseSetting("CacheLayer:KeyPrefix", KeyPrefix);
        builder.UseSetting("CacheLayer:AdminApiKey", adminApiKey ?? "");
        builder.UseSetting("CacheLayer:UserKeySalt", UserKeySalt);
        builder.UseSetting("Demo:Origin:LatencyMs", OriginLatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Generous, so a loaded machine does not turn a slow Redis answer into a bypass; the outage
        // tests set the real default back.
        builder.UseSetting("CacheLayer:OperationTimeout", "00:00:02");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }
            services.AddAuthentication(TestAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthenticationHandler>(TestAuthenticationHandler.SchemeName, _ => { });
            services.AddTransient<IStartupFilter, SetCookieStartupFilter>();
        });
        if (TestServices is not null)
        {
            builder.ConfigureTestServices(TestServices);
        }
    }
}
