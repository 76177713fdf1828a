extern alias apphost;

using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>
/// The dashboard's "Origin outage (30 s)" command on <c>api</c>, run as the dashboard runs it (through
/// <see cref="ResourceCommandService"/>) on one of the default two replicas: both replicas' origins fail.
/// </summary>
public class OriginOutageCommandTests
{
    private const string AdminApiKey = "e2e-admin-key-0123456789abcdef";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_dashboard_command_run_on_one_replica_fails_every_replicas_origin()
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
            var result = await commands.ExecuteCommandAsync(replicas[0].ResourceId, apphost::CacheLayer.AppHost.OriginOutageCommandExtensions.CommandName, cancellationToken);
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

    private static async Task<HttpResponseMessage> UntilAsync(HttpClient client, HttpStatusCode status, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            var response = await client.GetAsync("/api/posts/?nocache=true", timeout.Token);
            if (response.StatusCode == status)
            {
                return response;
            }
            response.Dispose();
            await Task.Delay(20, timeout.Token);
        }
    }
}
