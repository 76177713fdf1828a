using CacheLayer.AspNetCore.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// Readiness of the cache store: Degraded, never Unhealthy, when it is down, because the API still
/// answers every request from the origin.
/// </summary>
internal sealed class CacheStoreHealthCheck(CacheCircuit circuit, PendingInvalidations pending, CacheStoreGuard store) : IHealthCheck
{
    public const string Name = "cache-store";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (circuit.IsOpen)
        {
            return HealthCheckResult.Degraded(
                $"Cache store unavailable; serving from the origin ({pending.Count} invalidations waiting).");
        }

        var ping = await store.RunAsync("", "ping", s => s.PingAsync());
        return ping.Succeeded
            ? HealthCheckResult.Healthy($"PING {ping.Value.TotalMilliseconds:0.0} ms")
            : HealthCheckResult.Degraded("Cache store did not answer PING; serving from the origin.");
    }
}
