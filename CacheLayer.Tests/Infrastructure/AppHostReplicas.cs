using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>The replicas of one AppHost resource, as the dashboard lists them (e.g. <c>api-xk2f9a</c>).</summary>
internal static class AppHostReplicas
{
    /// <summary>
    /// Waits until <paramref name="count"/> replicas of <paramref name="resourceName"/> run, are healthy and answer
    /// <c>/health</c> on their own address, and returns them. (<c>WaitForResourceHealthyAsync</c> returns as soon as
    /// any one replica is; and a replica's health is probed through the endpoint that balances over all of them,
    /// so it can read healthy before that replica itself listens.)
    /// </summary>
    public static async Task<IReadOnlyList<ResourceEvent>> WaitForHealthyReplicasAsync(
        this DistributedApplication app, string resourceName, int count, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, ResourceEvent>();
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Resource.Name != resourceName)
            {
                continue;
            }
            latest[update.ResourceId] = update;
            var healthy = latest.Values
                .Where(replica => replica.Snapshot.State?.Text == KnownResourceStates.Running && replica.Snapshot.HealthStatus == HealthStatus.Healthy)
                .ToList();
            if (healthy.Count >= count)
            {
                foreach (var replica in healthy)
                {
                    await WaitUntilAnsweringAsync(replica.OwnAddress(), cancellationToken);
                }
                return healthy;
            }
        }
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>The replica's own address, not the AppHost endpoint that balances over all of them: the URL it was told to listen on.</summary>
    public static Uri OwnAddress(this ResourceEvent replica) =>
        new(replica.Snapshot.EnvironmentVariables.Single(variable => variable.Name == "ASPNETCORE_URLS").Value!.Split(';')[0]);

    private static async Task WaitUntilAnsweringAsync(Uri address, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async token =>
        {
            try
            {
                using var response = await client.GetAsync("/health", token);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, TimeSpan.FromMinutes(1), cancellationToken);
    }
}
