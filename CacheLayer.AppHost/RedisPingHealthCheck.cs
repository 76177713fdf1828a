using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace CacheLayer.AppHost;

/// <summary>Healthy once the store behind <paramref name="resource"/>'s connection string answers PING.</summary>
public sealed class RedisPingHealthCheck(IResourceWithConnectionString resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await resource.GetConnectionStringAsync(cancellationToken);
            if (string.IsNullOrEmpty(connectionString))
            {
                return HealthCheckResult.Unhealthy($"'{resource.Name}' has no connection string yet.");
            }

            var options = ConfigurationOptions.Parse(connectionString);

            await using var connection = await HealthCheckConnection.ConnectAsync(options);
            var roundTrip = await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"PONG in {roundTrip.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"'{resource.Name}' does not answer PING.", ex);
        }
    }
}
