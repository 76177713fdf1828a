using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// An invalidation (a write, or an admin delete of the key, a tag or a prefix) removes the entry and its
/// grace copy: an invalidated body is never served, fresh or stale, not even while the origin is down.
/// Stale-while-revalidate stays at its default (30 s), so a surviving copy would be answered at once.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class StaleInvalidationTests(CacheServerFixture store)
{
    [Theory]
    [InlineData("put", true)]
    [InlineData("key", true)]
    [InlineData("tag", true)]
    [InlineData("prefix", true)]
    [InlineData("put", false)]
    [InlineData("key", false)]
    [InlineData("tag", false)]
    [InlineData("prefix", false)]
    public async Task After_an_invalidation_the_old_body_is_never_served_even_with_the_origin_down(string how, bool expiredFirst)
    {
        // Expired first: a 1 s TTL, waited out. Otherwise a minute, so the entry is fresh when invalidated.
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = StaleKit.Settings(null, ("Demo:Ttl:Users", expiredFirst ? "00:00:01" : "00:01:00")),
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var admin = api.CreateAdminClient();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Contains("Cached User A", await warm.Content.ReadAsStringAsync());
        var staleKey = StaleKit.StaleKey(api, StaleKit.UserKey);
        if (expiredFirst)
        {
            await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));
        }
        Assert.True(await StaleKit.HasCopyAsync(store.Redis, staleKey), "the grace copy is there before the invalidation");

        using var invalidation = how switch
        {
            "put" => await client.PutAsJsonAsync("/api/users/1", new { name = "Written before the outage" }),
            "key" => await admin.DeleteAsync($"/api/cache?key={Uri.EscapeDataString(StaleKit.UserKey)}"),
            "tag" => await admin.DeleteAsync("/api/cache?tag=users"),
            _ => await admin.DeleteAsync($"/api/cache?prefix={Uri.EscapeDataString("GET:/api/users/")}"),
        };
        var graceCopyLeft = await store.Redis.KeyExistsAsync(staleKey);
        var entryLeft = await store.Redis.KeyExistsAsync(api.RedisKey(StaleKit.UserKey));
        await StaleKit.StartOutageAsync(api);
        using var read = await client.GetAsync("/api/users/1");
        var body = await read.Content.ReadAsStringAsync();

        // Deleting a key whose entry has expired but whose grace copy lives is a deletion too (200), not a 404.
        Assert.True(invalidation.StatusCode == HttpStatusCode.OK, $"{how}: {(int)invalidation.StatusCode} {await invalidation.Content.ReadAsStringAsync()}");
        Assert.False(graceCopyLeft, "the grace copy is gone after the invalidation");
        Assert.False(entryLeft);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Cached User A", body);
        Assert.NotEqual("STALE", read.XCache());
    }
    [Fact]
    public async Task A_write_to_a_path_removes_the_grace_copies_of_all_its_variants()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = StaleKit.Settings() };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        string[] pages = ["GET:/api/posts/", "GET:/api/posts/?page=2&pagesize=1"];
        using (var plain = await client.GetAsync("/api/posts/"))
        using (var page = await client.GetAsync("/api/posts/?page=2&pageSize=1"))
        {
            Assert.Equal("CacheLayer; fwd=miss; stored", plain.CacheStatus());
            Assert.Equal("CacheLayer; fwd=miss; stored", page.CacheStatus());
            Assert.Contains("Cached post B", await page.Content.ReadAsStringAsync());
        }
        foreach (var key in pages)
        {
            await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(key));
            Assert.True(await StaleKit.HasCopyAsync(store.Redis, api, key), $"a grace copy of {key} before the write");
        }

        using var created = await client.PostAsJsonAsync("/api/posts/", new { title = "Written before the outage" });
        var copiesLeft = new List<string>();
        foreach (var key in pages)
        {
            if (await StaleKit.HasCopyAsync(store.Redis, api, key))
            {
                copiesLeft.Add(key);
            }
        }
        await StaleKit.StartOutageAsync(api);
        using var read = await client.GetAsync("/api/posts/?page=2&pageSize=1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Empty(copiesLeft);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.DoesNotContain("Cached post B", await read.Content.ReadAsStringAsync());
    }
}
