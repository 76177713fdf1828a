using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Applies, on this replica, every invalidation the others log: reads the shared log (<see cref="IInvalidationLogStore"/>)
/// from the last sequence number it read, every <see cref="CacheLayerMemoryTierOptions.PollInterval"/> and
/// at once when the <see cref="InvalidationFeed"/> rings. Each read applied moves <see cref="InvalidationSync"/>
/// on; a log that no longer reaches back to the last number read (trimmed past it, lost, or restarted)
/// empties this replica's memory tier and forgets all its work in flight instead.
/// </summary>
internal sealed partial class InvalidationLogReader(
    IInvalidationLogStore log,
    InvalidationSync sync,
    InvalidationLogApplier applier,
    IOptions<CacheLayerOptions> options,
    TimeProvider time,
    ILogger<InvalidationLogReader> logger) : BackgroundService
{
    private const int BatchSize = 512;
    private readonly CacheLayerOptions _options = options.Value;
    private TaskCompletionSource _doorbell = NewDoorbell();
    private bool _behindLogged;

    /// <summary>The log's sequence number this replica has applied up to (0: there was no log; -1: not read yet).</summary>
    public long LastApplied => applier.Last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connecting here, in the background, also warms the client up for the first requests.
        await log.Connected.WaitAsync(stoppingToken);
        _ = SubscribeAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Rings from now on wake the wait below, including any during the read.
            Interlocked.Exchange(ref _doorbell, NewDoorbell());
            await CatchUpAsync();
            await Task.WhenAny(Volatile.Read(ref _doorbell).Task, Task.Delay(_options.MemoryTier.PollInterval, time, stoppingToken));
        }
    }

    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        // Until the first subscription succeeds (the store may be down at start-up), keep trying; the
        // client resubscribes by itself after that. Polling covers the time without one.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await log.SubscribeAsync(ringer =>
                {
                    if (!applier.IsThisReplica(ringer))
                    {
                        Volatile.Read(ref _doorbell).TrySetResult();
                    }
                });
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await Task.Delay(_options.ProbeInterval, time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task CatchUpAsync()
    {
        try
        {
            bool more;
            do
            {
                var startedAt = sync.Now;
                var read = await log.ReadAsync(applier.Last == InvalidationLogApplier.NotRead ? long.MaxValue : applier.Last, BatchSize).WaitAsync(_options.OperationTimeout, time);
                more = applier.Apply(read);
                if (!more)
                {
                    sync.Applied(startedAt);
                }
            }
            while (more);
            if (_behindLogged)
            {
                _behindLogged = false;
                LogCaughtUp(logger, applier.Last);
            }
        }
        // Whatever went wrong (an unreachable store, or one that answers unexpectedly), the lease runs out
        // and the tier stops serving; an exception here must never stop the host.
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (!_behindLogged && !sync.IsCurrent && applier.Last != InvalidationLogApplier.NotRead)
            {
                _behindLogged = true;
                LogBehind(logger, exception.Message);
            }
        }
    }

    private static TaskCompletionSource NewDoorbell() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the cache invalidation log ({Reason}); the memory tier is unused until this replica catches up")]
    private static partial void LogBehind(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Caught up with the cache invalidation log at {Sequence}; the memory tier is in use again")]
    private static partial void LogCaughtUp(ILogger logger, long sequence);
}
