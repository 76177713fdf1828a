extern alias gateway;

using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// The real <c>CacheLayer.Gateway</c> (its Program: YARP, the library, <c>MapReverseProxy().CacheFromOrigin()</c>) on
/// Kestrel on a loopback port, with its catch-all route sent to a test's origin, its store a real Redis under a key
/// prefix of its own, and, when given, a fake clock the test moves.
/// </summary>
public sealed class GatewayHost : WebApplicationFactory<gateway::Program>
{
    private readonly string _connectionString;
    private readonly string _origin;
    private readonly TimeProvider? _time;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private GatewayHost(string connectionString, string origin, string keyPrefix, TimeProvider? time, IReadOnlyDictionary<string, string> settings)
    {
        _connectionString = connectionString;
        _origin = origin;
        _time = time;
        _settings = settings;
        KeyPrefix = keyPrefix;
    }

    public string KeyPrefix { get; }

    /// <summary>A client of the gateway's Kestrel endpoint: no redirects followed, no cookies, no decompression.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The gateway's address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    /// <summary>
    /// Starts a gateway in front of <paramref name="origin"/> and waits until its store is connected and (with the
    /// memory tier on) current with the invalidation log, so a test starts from a gateway that caches (unless
    /// <paramref name="waitForStore"/> is false: a store that is down).
    /// </summary>
    public static async Task<GatewayHost> StartAsync(
        string connectionString, string origin, string keyPrefix, TimeProvider? time = null, IReadOnlyDictionary<string, string>? settings = null,
        bool waitForStore = true)
    {
        var host = new GatewayHost(connectionString, origin, keyPrefix, time, settings ?? new Dictionary<string, string>());
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.Address = new Uri(address.TrimEnd('/') + "/");
        host.Client = NewClient(host.Address);
        if (waitForStore)
        {
            await host.WaitUntilReadyAsync();
        }
        return host;
    }

    public static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    private async Task WaitUntilReadyAsync()
    {
        var redis = Services.GetRequiredKeyedService<StackExchange.Redis.IConnectionMultiplexer>("cache");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!redis.IsConnected)
        {
            await Task.Delay(10, timeout.Token);
        }
        var tier = Services.GetRequiredService<MemoryTier>();
        var pollInterval = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheLayerOptions>>().Value.MemoryTier.PollInterval;
        var enabled = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheLayerOptions>>().Value.MemoryTier.Enabled;
        while (enabled && !tier.IsActive)
        {
            // On a fake clock the log reader's next poll waits for that clock.
            (_time as FakeTimeProvider)?.Advance(pollInterval);
            await Task.Delay(10, timeout.Token);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:cache", _connectionString);
        builder.UseSetting("CacheLayer:KeyPrefix", KeyPrefix);
        builder.UseSetting("ReverseProxy:Clusters:origin:Destinations:d1:Address", _origin);
        // Generous, so a loaded machine does not turn a slow Redis answer into a store-unavailable.
        builder.UseSetting("CacheLayer:OperationTimeout", "00:00:02");
        if (_time is not null)
        {
            // A clock that jumps: the replica stays current with the invalidation log, and memory entries live
            // as long as their freshness, so only what a test means to time runs out.
            builder.UseSetting("CacheLayer:MemoryTier:MaxLag", "00:10:00");
            builder.UseSetting("CacheLayer:MemoryTier:MaxAge", "01:00:00");
        }
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        if (_time is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(_time));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await base.DisposeAsync();
    }
}
