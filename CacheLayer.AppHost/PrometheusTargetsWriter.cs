using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

/// <summary>
/// Keeps Prometheus's file-based service discovery in step with the replicas of one project: each running
/// replica's own address (the one it was told to listen on, not the endpoint that balances over them all),
/// labelled with its resource id. Prometheus reads the file again whenever it changes.
/// </summary>
internal sealed partial class PrometheusTargetsWriter(
    ResourceNotificationService notifications, string resourceName, string targetsFile, ILogger<PrometheusTargetsWriter> logger)
    : BackgroundService
{
    private readonly SortedDictionary<string, string> _running = new(StringComparer.Ordinal);

    /// <summary>What Prometheus reads before the first replica runs: no targets.</summary>
    public static void WriteEmpty(string targetsFile) => File.WriteAllText(targetsFile, "[]");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (update.Resource.Name == resourceName && Track(update))
            {
                Write();
                LogTargets(logger, resourceName, _running.Count, string.Join(", ", _running.Values));
            }
        }
    }

    private bool Track(ResourceEvent update)
    {
        var address = update.Snapshot.State?.Text == KnownResourceStates.Running ? OwnAddress(update.Snapshot) : null;
        if (address is null)
        {
            return _running.Remove(update.ResourceId);
        }
        if (_running.TryGetValue(update.ResourceId, out var known) && known == address)
        {
            return false;
        }
        _running[update.ResourceId] = address;
        return true;
    }

    private static string? OwnAddress(CustomResourceSnapshot snapshot) =>
        snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == "ASPNETCORE_URLS")?.Value is { Length: > 0 } urls
        && Uri.TryCreate(urls.Split(';')[0], UriKind.Absolute, out var url)
            ? $"{url.Host}:{url.Port}"
            : null;

    // Written aside and moved over, so Prometheus never reads half a file.
    private void Write()
    {
        var groups = _running.Select(replica => new { targets = new[] { replica.Value }, labels = new Dictionary<string, string> { ["replica"] = replica.Key } });
        var pending = targetsFile + ".tmp";
        File.WriteAllText(pending, JsonSerializer.Serialize(groups));
        File.Move(pending, targetsFile, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus scrapes {Count} replica(s) of '{Resource}': {Targets}")]
    private static partial void LogTargets(ILogger logger, string resource, int count, string targets);
}
