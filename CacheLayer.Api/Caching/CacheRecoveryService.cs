using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>
/// While the <see cref="CacheCircuit"/> is open, probes the store every
/// <see cref="ResponseCachingOptions.ProbeInterval"/>; once it answers, applies the invalidations
/// missed meanwhile and closes the circuit, so caching resumes by itself.
/// </summary>
public sealed class CacheRecoveryService(
    CacheCircuit circuit,
    CacheStoreGuard store,
    IOptions<ResponseCachingOptions> options,
    TimeProvider time) : BackgroundService
{
    // Replaying every missed invalidation may take longer than one request's store call.
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(30);

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

        var (invalidations, all) = circuit.TakePending();
        if (all && !(await store.ProbeAsync("invalidate-all", s => s.InvalidateAsync(CacheInvalidation.All), ReplayTimeout)).Succeeded)
        {
            circuit.DeferAll();
            return false;
        }

        var replays = await Task.WhenAll(invalidations.Select(async invalidation =>
            (Invalidation: invalidation, (await store.ProbeAsync("invalidate", s => s.InvalidateAsync(invalidation), ReplayTimeout)).Succeeded)));
        foreach (var failed in replays.Where(replay => !replay.Succeeded))
        {
            circuit.Defer(failed.Invalidation);
        }

        return circuit.TryClose();
    }
}
