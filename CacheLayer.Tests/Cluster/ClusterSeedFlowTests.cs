using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Cluster;

/// <summary>The seed flow on a 3-master Redis Cluster with no KeyPrefix: the layer must work there as on one node.</summary>
public class ClusterSeedFlowTests(RedisClusterFixture cluster) : ClusterApiTest(cluster)
{
    [Theory]
    [InlineData("/api/posts/", "{\"posts\":[\"Cached post A\",\"Cached post B\"]}")]
    [InlineData("/api/users/1", "{\"user\":{\"id\":1,\"name\":\"Cached User A\"}}")]
    public async Task A_read_is_a_miss_then_a_hit(string path, string body)
    {
        var miss = await GetAsync(path);
        var hit = await GetAsync(path);

        Assert.Equal((Stored, body), miss);
        Assert.True(IsHit(hit.CacheStatus), $"Second read: {hit.CacheStatus}");
        Assert.Equal(body, hit.Body);
        Assert.Equal(1, await Cluster.CountEntriesAsync());
    }

    [Fact]
    public async Task Updating_a_user_shows_the_new_name_on_the_next_read()
    {
        await WarmAsync("/api/users/1", "/api/users/2");

        using var update = await Client.PutAsJsonAsync("/api/users/1", new { name = "Updated User A" });
        var next = await GetAsync("/api/users/1");
        var after = await GetAsync("/api/users/1");

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal((Stored, "{\"user\":{\"id\":1,\"name\":\"Updated User A\"}}"), next);
        Assert.True(IsHit(after.CacheStatus), $"Read after the refill: {after.CacheStatus}");
        Assert.True(IsHit((await GetAsync("/api/users/2")).CacheStatus), "The other user was invalidated too.");
    }

    [Fact]
    public async Task Creating_a_post_shows_it_on_the_next_read_of_every_variant()
    {
        string[] paths = ["/api/posts/", "/api/posts/?pageSize=10", "/api/posts/?page=3&pageSize=1"];
        await WarmAsync(paths);

        using var create = await Client.PostAsJsonAsync("/api/posts/", new { title = "New Post A" });

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        foreach (var path in paths)
        {
            var next = await GetAsync(path);
            Assert.Equal(Stored, next.CacheStatus);
            Assert.Contains("New Post A", next.Body);
        }
    }

    [Fact]
    public async Task Deleting_a_key_as_admin_makes_its_next_read_a_miss()
    {
        await WarmAsync("/api/posts/", "/api/users/1");
        using var admin = Api.CreateAdminClient();

        using var deleted = await admin.DeleteAsync("/api/cache?key=" + Uri.EscapeDataString("GET:/api/posts/"));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("Cache key deleted", (await deleted.Content.ReadFromJsonAsync<MessageBody>())!.Message);
        Assert.Equal(Stored, (await GetAsync("/api/posts/")).CacheStatus);
        Assert.True(IsHit((await GetAsync("/api/users/1")).CacheStatus));
    }

    [Fact]
    public async Task Deleting_a_tag_as_admin_evicts_its_entries_from_every_master()
    {
        // users/1 and users/2 hash to different masters of a three-master cluster.
        await WarmAsync("/api/users/1", "/api/users/2", "/api/posts/");
        using var admin = Api.CreateAdminClient();

        using var deleted = await admin.DeleteAsync("/api/cache?tag=users");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(2, (await deleted.Content.ReadFromJsonAsync<DeletedBody>())!.Deleted);
        Assert.Equal(Stored, (await GetAsync("/api/users/1")).CacheStatus);
        Assert.Equal(Stored, (await GetAsync("/api/users/2")).CacheStatus);
        Assert.True(IsHit((await GetAsync("/api/posts/")).CacheStatus));
    }

    [Fact]
    public async Task Deleting_a_prefix_as_admin_evicts_every_key_under_it()
    {
        await WarmAsync("/api/users/1", "/api/users/2", "/api/posts/", "/api/posts/?page=2&pageSize=1");
        using var admin = Api.CreateAdminClient();

        using var deleted = await admin.DeleteAsync("/api/cache?prefix=" + Uri.EscapeDataString("GET:/api/users/"));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(2, (await deleted.Content.ReadFromJsonAsync<DeletedBody>())!.Deleted);
        Assert.Equal(Stored, (await GetAsync("/api/users/1")).CacheStatus);
        Assert.Equal(Stored, (await GetAsync("/api/users/2")).CacheStatus);
        Assert.True(IsHit((await GetAsync("/api/posts/")).CacheStatus));
        Assert.True(IsHit((await GetAsync("/api/posts/?page=2&pageSize=1")).CacheStatus));
    }

    [Fact]
    public async Task The_metrics_count_the_entries_stored_on_all_masters()
    {
        await WarmAsync("/api/users/1", "/api/users/2", "/api/posts/", "/api/posts/?page=2&pageSize=1");
        using var admin = Api.CreateAdminClient();

        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache"));

        var total = statistics.RootElement.GetProperty("total_cached_keys");
        Assert.True(total.ValueKind == JsonValueKind.Number, $"total_cached_keys is {total}");
        Assert.Equal(4, await Cluster.CountEntriesAsync());
        Assert.Equal(4, total.GetInt64());
    }

    private async Task WarmAsync(params string[] paths)
    {
        foreach (var path in paths)
        {
            Assert.Equal(Stored, (await GetAsync(path)).CacheStatus);
            Assert.True(IsHit((await GetAsync(path)).CacheStatus), $"{path} was stored but is not a hit.");
        }
    }

    private sealed record MessageBody(string Message);

    private sealed record DeletedBody(string Message, long Deleted);
}
