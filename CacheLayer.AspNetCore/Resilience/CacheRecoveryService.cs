using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// While the <see cref="CacheCircuit"/> is open, probes the store every
/// <see cref="CacheLayerOptions.ProbeInterval"/>; once it answers, applies the invalidations
/// missed meanwhile (<see cref="InvalidationReplay"/>: one the store refuses for good is not retried) and closes the
/// circuit, so caching resumes by itself.
/// </summary>
internal sealed class CacheRecoveryService(
    CacheCircuit circuit,
    PendingInvalidations pending,
    CacheStoreGuard store,
    InvalidationReplay replay,
    IOptions<CacheLayerOptions> options,
    TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (circuit.IsOpen)
            {
                await TryRecoverAsync();
            }
        }
    }

    /// <summary>One probe: true when the circuit is closed afterwards.</summary>
    public async Task<bool> TryRecoverAsync()
    {
        if (!(await store.ProbeAsync("ping", s => s.PingAsync())).Succeeded)
        {
            return false;
        }

        var (invalidations, all) = pending.TakeAll();
        if (all && !await replay.ApplyAsync(CacheInvalidation.All))
        {
            pending.AddAll();
            return false;
        }

        var replays = await Task.WhenAll(invalidations.Select(async invalidation => (Invalidation: invalidation, Applied: await replay.ApplyAsync(invalidation))));
        foreach (var failed in replays.Where(replay => !replay.Applied))
        {
            pending.Add(failed.Invalidation);
        }

        return circuit.TryClose(() => pending.IsEmpty);
    }
}
