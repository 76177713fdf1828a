extern alias apphost;

using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>
/// The dashboard's commands on <c>api</c>, run as the dashboard runs them (through <see cref="ResourceCommandService"/>)
/// on one of the default two replicas: "Flush cache" empties the cache, "Origin outage (30 s)" fails both
/// replicas' origins. One AppHost run for both, as starting one takes most of a test's time.
/// </summary>
public class DashboardCommandTests
{
    private const string AdminApiKey = "e2e-admin-key-0123456789abcdef";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_dashboard_commands_flush_the_cache_and_fail_every_replicas_origin()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync([$"Parameters:admin-api-key={AdminApiKey}", "CacheLayer:OperationTimeout=00:00:02"], StartTimeout, cancellationToken);
        var replicas = await app.WaitForHealthyReplicasAsync("api", 2, cancellationToken).WaitAsync(StartTimeout, cancellationToken);

        var own = replicas.Select(replica => new HttpClient { BaseAddress = replica.OwnAddress(), Timeout = RequestTimeout }).ToList();
        try
        {
            foreach (var client in own)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/posts/?nocache=true", cancellationToken)).StatusCode);
            }

            var commands = app.Services.GetRequiredService<ResourceCommandService>();
            using (var warm = await own[0].GetAsync("/api/users/1", cancellationToken))
            using (var hit = await own[0].GetAsync("/api/users/1", cancellationToken))
            {
                Assert.Equal("HIT", hit.XCache());
            }
            var flushed = await commands.ExecuteCommandAsync(replicas[0].ResourceId, apphost::CacheLayer.AppHost.AdminCommandExtensions.FlushCommandName, cancellationToken);
            Assert.True(flushed.Success, flushed.Message);
            // A replica that did not run the command reads the flush from the invalidation log within MaxLag (500 ms).
            using (var afterFlush = await UntilAsync(own[0], response => response.XCache() == "MISS", cancellationToken, "/api/users/1"))
            {
                Assert.Equal(HttpStatusCode.OK, afterFlush.StatusCode);
            }

            var result = await commands.ExecuteCommandAsync(replicas[0].ResourceId, apphost::CacheLayer.AppHost.AdminCommandExtensions.OutageCommandName, cancellationToken);
            Assert.True(result.Success, result.Message);

            foreach (var client in own)
            {
                // The other replica reads the shared flag within its refresh interval.
                using var down = await UntilAsync(client, HttpStatusCode.ServiceUnavailable, cancellationToken);
                Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
                Assert.InRange(down.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
            }

            // End it early through the route, and both answer again.
            own[1].DefaultRequestHeaders.Add("X-Api-Key", AdminApiKey);
            using var ended = await own[1].PostAsync("/api/demo/origin/outage?seconds=0", null, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
            foreach (var client in own)
            {
                using var up = await UntilAsync(client, HttpStatusCode.OK, cancellationToken);
            }
        }
        finally
        {
            own.ForEach(client => client.Dispose());
        }
    }

    private static Task<HttpResponseMessage> UntilAsync(HttpClient client, HttpStatusCode status, CancellationToken cancellationToken) =>
        UntilAsync(client, response => response.StatusCode == status, cancellationToken, "/api/posts/?nocache=true");

    private static Task<HttpResponseMessage> UntilAsync(
        HttpClient client, Func<HttpResponseMessage, bool> done, CancellationToken cancellationToken, string path) =>
        Eventually.ResponseAsync(client, path, done, TimeSpan.FromSeconds(15), cancellationToken);
}
