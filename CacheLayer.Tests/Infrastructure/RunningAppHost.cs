extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>The real AppHost, as the end-to-end tests run it.</summary>
internal static class RunningAppHost
{
    /// <summary>
    /// Builds and starts the AppHost with <paramref name="args"/> (its configuration, e.g. <c>CacheStore=garnet</c>)
    /// and waits until its <c>cache</c> resource is healthy; each step within <paramref name="timeout"/>.
    /// Prometheus and Grafana stay off unless <paramref name="args"/> set them: only the tests of them need them.
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(string[] args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] monitoring = [apphost::CacheLayer.AppHost.PrometheusExtensions.ConfigurationKey, apphost::CacheLayer.AppHost.GrafanaExtensions.ConfigurationKey];
        args = [.. args, .. monitoring.Where(key => !args.Any(arg => arg.StartsWith(key + "=", StringComparison.Ordinal))).Select(key => key + "=off")];
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<apphost::Projects.CacheLayer_AppHost>(args, cancellationToken)
            .WaitAsync(timeout, cancellationToken);
        var app = await builder.BuildAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", cancellationToken).WaitAsync(timeout, cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
