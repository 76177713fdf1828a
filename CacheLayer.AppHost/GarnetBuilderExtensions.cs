using System.Globalization;
using System.Numerics;
using Garnet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class GarnetBuilderExtensions
{
    // Garnet's default log page; its log needs at least four pages.
    private const long DefaultPageBytes = 16L << 20;

    /// <summary>
    /// Adds a Garnet server that runs inside the AppHost process on a free loopback port, its data bounded
    /// by <paramref name="memory"/>, with Lua scripts enabled and atomic.
    /// It starts with the application, reports Running once it listens, and stops with the AppHost.
    /// </summary>
    public static IResourceBuilder<GarnetResource> AddGarnet(this IDistributedApplicationBuilder builder, string name, CacheStoreMemoryLimit memory)
    {
        var port = builder.ExecutionContext.IsRunMode ? FreeLoopbackPort.Next() : 6379;

        return builder.AddResource(new GarnetResource(name, port))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Garnet",
                State = KnownResourceStates.NotStarted,
                Properties = [new("garnet.endpoint", $"{GarnetResource.Host}:{port}")],
            })
            .ExcludeFromManifest()
            .OnInitializeResource((resource, e, cancellationToken) => StartAsync(resource, memory, e, cancellationToken));
    }

    private static async Task StartAsync(GarnetResource resource, CacheStoreMemoryLimit memory, InitializeResourceEvent e, CancellationToken cancellationToken)
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
            .. MemoryArguments(memory),
            // Off by default in Garnet: EVAL/EVALSHA answer "Lua scripting support disabled", and without
            // transaction mode a script does not run atomically (other clients' commands interleave).
            "--lua",
            "--lua-transaction-mode",
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

    /// <summary>
    /// The log memory (records and the heap of their objects) bounded by <paramref name="memory"/>. Without a
    /// storage tier, Garnet drops the records that fall off the log's head, the least recently written;
    /// <c>--copy-reads-to-tail</c> moves a record read near the head back to the tail, so what is read stays,
    /// which comes closest to Redis's <c>allkeys-lru</c>.
    /// </summary>
    private static IEnumerable<string> MemoryArguments(CacheStoreMemoryLimit memory)
    {
        yield return "--memory";
        yield return memory.ToString();
        if (memory.Bytes < 4 * DefaultPageBytes)
        {
            yield return "--page";
            yield return (1UL << BitOperations.Log2((ulong)memory.Bytes / 4)).ToString(CultureInfo.InvariantCulture);
        }
        yield return "--copy-reads-to-tail";
    }

    private sealed class ForwardingLoggerProvider(ILogger target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target;

        public void Dispose()
        {
        }
    }
}
