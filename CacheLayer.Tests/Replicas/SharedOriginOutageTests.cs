using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// An outage of the demo origin started through one replica fails the other's origin too: it is kept
/// in the SQLite origin they share, as a real database outage would hit every replica.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class SharedOriginOutageTests(CacheServerFixture store)
{
    [Fact]
    public async Task An_outage_started_through_one_replica_fails_the_others_origin_until_it_ends()
    {
        await using var group = new ReplicaGroup(store.Server.ConnectionString);
        var a = await group.StartAsync();
        var b = await group.StartAsync();
        using var adminA = a.CreateAdminClient();
        using var clientB = b.CreateClient();
        using var warm = await clientB.GetAsync("/api/users/1");
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/api/posts/?nocache=true")).StatusCode);

        using var started = await adminA.PostAsync("/api/demo/origin/outage?seconds=3600", null);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        using var read = await UntilAsync(clientB, "/api/posts/?nocache=true", HttpStatusCode.ServiceUnavailable);
        using var write = await clientB.PostAsJsonAsync("/api/posts/", new { title = "Written in the outage" });
        using var hit = await clientB.GetAsync("/api/users/1");

        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);

        // A short outage replaces it; B's origin answers again once it is over.
        using var shortOne = await adminA.PostAsync("/api/demo/origin/outage?seconds=1", null);
        Assert.Equal(HttpStatusCode.OK, shortOne.StatusCode);
        using var up = await UntilAsync(clientB, "/api/posts/?nocache=true", HttpStatusCode.OK);
        using var written = await clientB.PostAsJsonAsync("/api/posts/", new { title = "Written after the outage" });
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);
    }

    /// <summary>Asks until the answer has <paramref name="status"/>, for at most 15 s.</summary>
    private static Task<HttpResponseMessage> UntilAsync(HttpClient client, string path, HttpStatusCode status) =>
        Eventually.ResponseAsync(client, path, response => response.StatusCode == status, TimeSpan.FromSeconds(15));
}
