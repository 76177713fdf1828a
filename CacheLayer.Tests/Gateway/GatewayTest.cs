using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// One test of the real gateway in front of an origin of the test's own, on the shared redis-server under a key
/// prefix of its own. The gateway and the origin run on a fake clock the test moves (<see cref="Time"/>), unless
/// the class asks for the real one: no test waits for freshness to run out.
/// </summary>
[Collection(CacheServerCollection.Name)]
public abstract class GatewayTest(CacheServerFixture store) : IAsyncLifetime
{
    protected CacheServerFixture Store { get; } = store;

    /// <summary>The gateway's and the origin's clock; null on the real clock.</summary>
    protected FakeTimeProvider? Time { get; private set; }

    protected TestOrigin Origin { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected HttpClient Client => Gateway.Client;

    protected string KeyPrefix { get; } = $"gw{Guid.NewGuid():N}"[..10] + ":";

    /// <summary>Whether the gateway runs on a fake clock (the default).</summary>
    protected virtual bool FakeClock => true;

    /// <summary>Settings of the gateway started for every test, e.g. <c>CacheLayer:OriginDirected:ActAsCdn</c>.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    private readonly List<GatewayHost> _more = [];

    public async Task InitializeAsync()
    {
        Time = FakeClock ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        Origin = await TestOrigin.StartAsync(Time);
        Gateway = await GatewayHost.StartAsync(Store.Server.ConnectionString, Origin.Address, KeyPrefix, Time, Settings);
        AlignToSecond();
    }

    /// <summary>
    /// Moves the fake clock to a whole second: an origin's <c>Date</c> has no fraction, so a response is then exactly
    /// as old as its <c>Age</c> says, and ages and TTLs come out whole.
    /// </summary>
    private void AlignToSecond()
    {
        if (Time is { } time && time.GetUtcNow().Ticks % TimeSpan.TicksPerSecond is var fraction and > 0)
        {
            time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - fraction));
        }
    }

    /// <summary>Another gateway in front of the same origin, on the same clock: with the same key prefix a replica, with another a separate cache.</summary>
    protected async Task<GatewayHost> StartGatewayAsync(
        string? keyPrefix = null, IReadOnlyDictionary<string, string>? settings = null, string? connectionString = null, bool waitForStore = true)
    {
        var host = await GatewayHost.StartAsync(connectionString ?? Store.Server.ConnectionString, Origin.Address, keyPrefix ?? KeyPrefix, Time, settings ?? Settings, waitForStore);
        _more.Add(host);
        AlignToSecond();
        return host;
    }

    /// <summary>Moves the gateway's and the origin's clock on.</summary>
    protected void Advance(int seconds) =>
        (Time ?? throw new InvalidOperationException("This test runs on the real clock.")).Advance(TimeSpan.FromSeconds(seconds));

    protected static Task<HttpResponseMessage> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Get, path, headers);

    protected Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers) => GetAsync(Client, path, headers);

    protected static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (method != HttpMethod.Get && method != HttpMethod.Head)
        {
            request.Content = new StringContent("written");
        }
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    protected Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers) =>
        SendAsync(Client, method, path, headers);

    protected static Task<string> BodyOf(HttpResponseMessage response) => response.Content.ReadAsStringAsync();

    /// <summary>The gateway's own <c>Cache-Status</c> member: the last (RFC 9211).</summary>
    protected static string GatewayStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? values.Last() : "(no Cache-Status)";

    protected static string Describe(HttpResponseMessage response) =>
        $"{(int)response.StatusCode}, X-Cache: {response.XCache()}, Cache-Status: {response.CacheStatus()}, Age: {response.Header("Age")}";

    public async Task DisposeAsync()
    {
        foreach (var host in _more)
        {
            await host.DisposeAsync();
        }
        await Gateway.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
