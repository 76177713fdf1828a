using CacheLayer.AspNetCore.Resilience;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Every half minute, drops the bookkeeping of entries Redis has expired, so the key indexes stay as
/// small as the live key set even when nothing is written.
/// </summary>
internal sealed class CacheJanitorService(CacheStoreGuard store, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    // Trimming a backlog takes several round trips: more than one request's store call.
    private static readonly TimeSpan TrimTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await store.RunAsync("", "trim", s => s.TrimExpiredAsync(), TrimTimeout);
        }
    }
}
