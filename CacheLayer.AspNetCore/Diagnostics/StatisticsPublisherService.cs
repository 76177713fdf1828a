using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// Every second, publishes this replica's <see cref="CacheStatistics"/> for the deployment-wide
/// <c>/metrics/cache</c>. Fails open: a failed publication is retried at the next tick, and only the
/// change between publishing and not is logged. Not through <see cref="CacheStoreGuard"/>, whose failures
/// open the circuit: statistics must not stop caching. While the circuit is open, nothing is published.
/// </summary>
internal sealed partial class StatisticsPublisherService(
    CacheStatistics statistics,
    IStatisticsStore store,
    CacheCircuit circuit,
    IOptions<CacheLayerOptions> options,
    TimeProvider time,
    ILogger<StatisticsPublisherService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _timeout = options.Value.OperationTimeout;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connecting is not failing: wait for the first attempt before timing calls.
        await store.Connected.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!circuit.IsOpen)
            {
                await PublishAsync(stoppingToken);
            }
        }
    }

    private async Task PublishAsync(CancellationToken stoppingToken)
    {
        Task? pending = null;
        try
        {
            pending = store.PublishAsync(statistics.Snapshot().Serialize());
            await pending.WaitAsync(_timeout, time, stoppingToken);
            if (_failing)
            {
                _failing = false;
                LogResumed(logger);
            }
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // A call abandoned on timeout may still fault later; observe it so it is not reported as unobserved.
            pending?.ContinueWith(static task => _ = task.Exception, TaskContinuationOptions.OnlyOnFaulted);
            if (!_failing)
            {
                _failing = true;
                LogFailing(logger, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache statistics not published ({Reason}); this replica is missing from the deployment-wide /metrics/cache until they are")]
    private static partial void LogFailing(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache statistics published again")]
    private static partial void LogResumed(ILogger logger);
}
