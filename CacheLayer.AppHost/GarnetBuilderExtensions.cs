using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Garnet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class GarnetBuilderExtensions
{
    /// <summary>
    /// Adds a Garnet server that runs inside the AppHost process on a free loopback port.
    /// It starts with the application, reports Running once it listens, and stops with the AppHost.
    /// </summary>
    public static IResourceBuilder<GarnetResource> AddGarnet(this IDistributedApplicationBuilder builder, string name)
    {
        var port = builder.ExecutionContext.IsRunMode ? FreeLoopbackPort() : 6379;

        return builder.AddResource(new GarnetResource(name, port))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Garnet",
                State = KnownResourceStates.NotStarted,
                Properties = [new("garnet.endpoint", $"{GarnetResource.Host}:{port}")],
            })
            .ExcludeFromManifest()
            .OnInitializeResource(StartAsync);
    }

    private static async Task StartAsync(GarnetResource resource, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Starting });

        // Garnet logs through its own factory; forward warnings and errors to the resource's console in the dashboard.
        var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddProvider(new ForwardingLoggerProvider(e.Logger)));

        string[] args =
        [
            "--bind", GarnetResource.Host,
            "--port", resource.Port.ToString(CultureInfo.InvariantCulture),
            "--index", "16m",
            "--memory", "512m",
            // The layer stores through Lua scripts (EVALSHA); Garnet runs them only when asked to.
            "--lua",
            "-q",
        ];

        try
        {
            resource.Server = new GarnetServer(args, loggerFactory);
            resource.Server.Start();
        }
        catch (Exception ex)
        {
            e.Logger.LogError(ex, "Garnet failed to start on {Host}:{Port}", GarnetResource.Host, resource.Port);
            resource.Server?.Dispose();
            resource.Server = null;
            loggerFactory.Dispose();
            await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.FailedToStart });
            return;
        }

        // ApplicationStopped comes after DCP has stopped the API, so the API never sees the store vanish first.
        e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
        {
            resource.Server?.Dispose();
            resource.Server = null;
            loggerFactory.Dispose();
        });

        e.Logger.LogInformation("Garnet listening on {Host}:{Port}", GarnetResource.Host, resource.Port);
        await e.Notifications.PublishUpdateAsync(resource, s => s with
        {
            State = KnownResourceStates.Running,
            StartTimeStamp = DateTime.UtcNow,
        });
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ForwardingLoggerProvider(ILogger target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target;

        public void Dispose()
        {
        }
    }
}
