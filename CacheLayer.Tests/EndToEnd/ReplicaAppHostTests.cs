using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>The real AppHost with its default <c>ApiReplicas</c>: two API processes on one store and one SQLite origin, behind one endpoint.</summary>
public class ReplicaAppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    // As long as another replica may take to drop its memory-tier copy: within MemoryTier:MaxLag (500 ms),
    // usually milliseconds; this only bounds a loaded machine.
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Both_replicas_run_healthy_and_read_a_write_made_through_the_apphost_endpoint()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync(["CacheLayer:OperationTimeout=00:00:02"], StartTimeout, cancellationToken);
        var replicas = await app.WaitForHealthyReplicasAsync("api", 2, cancellationToken).WaitAsync(StartTimeout, cancellationToken);

        var api = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(resource => resource.Name == "api");
        Assert.Equal(2, Assert.Single(api.Annotations.OfType<ReplicaAnnotation>()).Replicas);
        Assert.Equal(2, replicas.Select(replica => replica.ResourceId).Distinct().Count());
        Assert.All(replicas, replica => Assert.StartsWith("api-", replica.ResourceId));

        using var endpoint = app.CreateHttpClient("api");
        endpoint.Timeout = RequestTimeout;
        var own = replicas.Select(replica => new HttpClient { BaseAddress = replica.OwnAddress(), Timeout = RequestTimeout }).ToList();
        try
        {
            Assert.DoesNotContain(own, client => client.BaseAddress == endpoint.BaseAddress);
            foreach (var client in own)
            {
                // Every AppHost run starts from the seed, and both replicas serve it (and cache it).
                Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await client.GetStringAsync("/api/posts/", cancellationToken));
                Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Cached User A\"}}", await client.GetStringAsync("/api/users/1", cancellationToken));
            }

            using var update = await endpoint.PutAsJsonAsync("/api/users/1", new { name = "Updated through the endpoint" }, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);

            const string updated = "{\"user\":{\"id\":1,\"name\":\"Updated through the endpoint\"}}";
            foreach (var client in own)
            {
                // Whichever replica took the write, each one's origin has it at once...
                Assert.Equal(updated, await client.GetStringAsync("/api/users/1?nocache=true", cancellationToken));
                // ...and its cached reads serve it once the invalidation has reached it.
                Assert.Equal(updated, await ReadUntilAsync(client, "/api/users/1", updated, cancellationToken));
            }
        }
        finally
        {
            own.ForEach(client => client.Dispose());
        }
    }

    private static Task<string> ReadUntilAsync(HttpClient client, string path, string expected, CancellationToken cancellationToken) =>
        Eventually.ValueAsync(async token => await client.GetStringAsync(path, token) is var body && body == expected ? body : null,
            ConvergeTimeout, cancellationToken);
}
