using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// While the <see cref="CacheCircuit"/> is open, probes the store every
/// <see cref="CacheLayerOptions.ProbeInterval"/>; once it answers, applies the invalidations
/// missed meanwhile and closes the circuit, so caching resumes by itself.
/// </summary>
internal sealed class CacheRecoveryService(
    CacheCircuit circuit,
    PendingInvalidations pending,
    CacheStoreGuard store,
    InvalidationFeed feed,
    IOptions<CacheLayerOptions> options,
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

        var (invalidations, all) = pending.TakeAll();
        if (all && !(await ReplayAsync(CacheInvalidation.All)))
        {
            pending.AddAll();
            return false;
        }

        var replays = await Task.WhenAll(invalidations.Select(async invalidation => (Invalidation: invalidation, Applied: await ReplayAsync(invalidation))));
        foreach (var failed in replays.Where(replay => !replay.Applied))
        {
            pending.Add(failed.Invalidation);
        }

        return circuit.TryClose(() => pending.IsEmpty);
    }

    private async Task<bool> ReplayAsync(CacheInvalidation invalidation) =>
        (await store.ProbeAsync(invalidation.Kind == CacheInvalidationKind.All ? "invalidate-all" : "invalidate", s => feed.RemoveAndAnnounceAsync(s, invalidation), ReplayTimeout)).Succeeded;
}
