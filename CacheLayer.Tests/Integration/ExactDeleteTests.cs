using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Admin and prefix deletes stay exact (layout v3): a key delete removes the entry whatever bookkeeping was evicted,
/// and prefix deletes and invalidate-all find every live entry even after a replica's clock jumped (index scores and
/// trimming are on Redis's clock: <c>TIME</c> in scripts, and <c>RedisClock</c>, which is Redis's TIME plus the
/// monotonic clock, so a replica's wall clock, here a <see cref="FakeTimeProvider"/> an hour ahead, moves nothing).
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class ExactDeleteTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_key_delete_removes_the_entry_after_its_variants_set_was_evicted()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString);
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var admin = api.CreateAdminClient();
        using (var warm = await client.GetAsync("/api/posts/?page=2"))
        {
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        }
        using (var plain = await client.GetAsync("/api/posts/"))
        {
            Assert.Equal("CacheLayer; fwd=miss; stored", plain.CacheStatus());
        }
        var layout = new RedisLayout(api.KeyPrefix);
        // The bookkeeping is written in a batch, a moment after the store (which ends as the response goes).
        await Eventually.TrueAsync(() => store.Redis.KeyExists(layout.VariantsKeyOf("GET:/api/posts/")));
        // LRU evicts the cold bookkeeping before the hot entry.
        Assert.True(await store.Redis.KeyDeleteAsync(layout.VariantsKeyOf("GET:/api/posts/")));

        using var deleted = await admin.DeleteAsync("/api/cache?key=" + Uri.EscapeDataString("GET:/api/posts/?page=2"));
        using var plainDeleted = await admin.DeleteAsync("/api/cache?key=" + Uri.EscapeDataString("GET:/api/posts/"));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plainDeleted.StatusCode);
        Assert.False(await store.Redis.KeyExistsAsync(api.RedisKey("GET:/api/posts/?page=2")));
        Assert.False(await store.Redis.KeyExistsAsync(api.RedisKey("GET:/api/posts/")));
        using var next = await client.GetAsync("/api/posts/?page=2");
        Assert.Equal("CacheLayer; fwd=miss; stored", next.CacheStatus());
    }

    private long ExpiryMembers(ApiFactory api) =>
        Enumerable.Range(0, RedisLayout.KeyShards).Sum(shard => store.Redis.SortedSetLength(new RedisLayout(api.KeyPrefix).ExpiryShard(shard)));

    [Theory]
    [InlineData("prefix=GET:/api/posts/")]
    [InlineData("prefix=GET:")]
    public async Task Prefix_deletes_and_flush_find_every_live_entry_after_a_replicas_clock_jumped_an_hour(string query)
    {
        await using var api = new ApiFactory(store.Server.ConnectionString);
        await using var skewed = new ApiFactory(store.Server.ConnectionString, time: new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)))
        {
            KeyPrefix = api.KeyPrefix,
            Settings = ApiFactory.SettingsForAJumpingClock,
        };
        await api.WaitUntilStoreConnectedAsync();
        await skewed.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var skewedClient = skewed.CreateClient(new() { HandleCookies = false });
        for (var page = 1; page <= 20; page++)
        {
            using var response = await (page % 2 == 0 ? skewedClient : client).GetAsync($"/api/posts/?page={page}");
            Assert.Equal("CacheLayer; fwd=miss; stored", response.CacheStatus());
        }
        Assert.Equal(20, await store.CountEntriesAsync(api.KeyPrefix));
        // The indexes are written in batches, a moment after the stores (which end as the responses go).
        await Eventually.TrueAsync(() => ExpiryMembers(api) == 20);

        // The skewed replica's janitor runs: nothing live may leave the indexes.
        await skewed.Service<IResponseCacheStore>().TrimExpiredAsync();
        using var admin = api.CreateAdminClient();
        using var deleted = await admin.DeleteAsync("/api/cache?" + query);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, await store.CountEntriesAsync(api.KeyPrefix));
        for (var page = 1; page <= 20; page++)
        {
            using var response = await client.GetAsync($"/api/posts/?page={page}");
            Assert.Equal("CacheLayer; fwd=miss; stored", response.CacheStatus());
        }
    }
}
