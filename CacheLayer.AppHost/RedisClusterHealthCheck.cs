using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace CacheLayer.AppHost;

/// <summary>Healthy once every node of <paramref name="cluster"/> answers <c>CLUSTER INFO</c> with <c>cluster_state:ok</c>.</summary>
public sealed class RedisClusterHealthCheck(RedisClusterResource cluster) : IHealthCheck
{
    private const int TimeoutMilliseconds = 2000;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await cluster.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var options = ConfigurationOptions.Parse(connectionString!);
            options.AbortOnConnectFail = true;
            options.ConnectRetry = 0;
            options.ConnectTimeout = TimeoutMilliseconds;
            options.SyncTimeout = TimeoutMilliseconds;
            options.AsyncTimeout = TimeoutMilliseconds;
            options.AllowAdmin = true;

            // A connection per check, as for PING: checks are seconds apart.
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
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
