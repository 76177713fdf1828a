extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>
/// One run of the real AppHost as an operator meets it: the default two API replicas, the dashboard's commands,
/// and Prometheus (from PATH, on a free port) scraping the replicas. Shared by the tests of one class, as
/// starting it takes most of a test's time.
/// </summary>
public sealed class OperatorAppHostFixture : IAsyncLifetime
{
    public const string AdminApiKey = "e2e-admin-key-0123456789abcdef";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private DistributedApplication? _app;

    public IReadOnlyList<ResourceEvent> Replicas { get; private set; } = [];

    /// <summary>A client per replica, on its own address (not the endpoint that balances over them).</summary>
    public IReadOnlyList<HttpClient> Own { get; private set; } = [];

    public HttpClient Prometheus { get; private set; } = null!;

    public ResourceCommandService Commands => _app!.Services.GetRequiredService<ResourceCommandService>();

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var port = FreePort.Next();
        _app = await RunningAppHost.StartAsync(
            [$"Parameters:admin-api-key={AdminApiKey}", "CacheLayer:OperationTimeout=00:00:02", "Prometheus=auto", $"PrometheusPort={port}"],
            StartTimeout, cancellation.Token);
        Replicas = await _app.WaitForHealthyReplicasAsync("api", 2, cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(apphost::CacheLayer.AppHost.PrometheusExtensions.ResourceName, cancellation.Token);
        Own = Replicas.Select(replica => new HttpClient { BaseAddress = replica.OwnAddress(), Timeout = RequestTimeout }).ToList();
        Prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = RequestTimeout };
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Own)
        {
            client.Dispose();
        }
        Prometheus?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
