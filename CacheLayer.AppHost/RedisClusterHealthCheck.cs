using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace CacheLayer.AppHost;

/// <summary>Healthy once every node of <paramref name="cluster"/> answers <c>CLUSTER INFO</c> with <c>cluster_state:ok</c>.</summary>
public sealed class RedisClusterHealthCheck(RedisClusterResource cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await cluster.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var options = ConfigurationOptions.Parse(connectionString!);
            options.AllowAdmin = true;

            await using var connection = await HealthCheckConnection.ConnectAsync(options);
            var notOk = new List<string>();
            foreach (var endpoint in options.EndPoints)
            {
                var info = (await connection.GetServer(endpoint).ExecuteAsync("CLUSTER", "INFO")).ToString();
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    notOk.Add(endpoint.ToString()!);
                }
            }
            return notOk.Count == 0
                ? HealthCheckResult.Healthy($"cluster_state:ok on all {options.EndPoints.Count} nodes")
                : HealthCheckResult.Unhealthy($"cluster_state is not ok on {string.Join(", ", notOk)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"'{cluster.Name}' does not answer CLUSTER INFO.", ex);
        }
    }
}
