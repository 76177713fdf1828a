using System.Text.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// Where the grace copy lives and for how long (layout v3: one body per entry): the entry's key lives TTL + <c>Grace</c>
/// and is fresh for the endpoint's TTL (its remaining time past its grace); <c>Grace</c> 0 keeps none; entries past
/// their TTL are not counted as cached keys.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class GraceCopyTtlTests(CacheServerFixture store)
{
    [Theory]
    [InlineData("00:00:30", 90)]
    [InlineData(null, 660)] // the default grace: 10 minutes
    public async Task The_entry_is_fresh_for_the_endpoint_ttl_and_lives_ttl_plus_grace(string? grace, int copySeconds)
    {
        var settings = StaleKit.Settings(null, ("Demo:Ttl:Users", "00:01:00"), ("Demo:Ttl:Posts", "00:01:00"));
        if (grace is not null)
        {
            settings["CacheLayer:Grace"] = grace;
        }
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = settings };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });

        using var user = await client.GetAsync("/api/users/1");
        using var page = await client.GetAsync("/api/posts/?page=2");
        Assert.Equal("CacheLayer; fwd=miss; stored", user.CacheStatus());
        Assert.Equal("CacheLayer; fwd=miss; stored", page.CacheStatus());

        foreach (var cacheKey in new[] { StaleKit.UserKey, "GET:/api/posts/?page=2" })
        {
            var copyTtl = await store.Redis.KeyTimeToLiveAsync(StaleKit.StaleKey(api, cacheKey));
            var value = (byte[]?)await store.Redis.StringGetAsync(api.RedisKey(cacheKey));
            Assert.True(copyTtl is not null && value is not null, $"no entry at {StaleKit.StaleKey(api, cacheKey)}");
            Assert.InRange(copyTtl.Value, TimeSpan.FromSeconds(copySeconds - 10), TimeSpan.FromSeconds(copySeconds));
            // Fresh for the endpoint's TTL: the key's remaining time past the grace written in the entry.
            Assert.InRange(copyTtl.Value - StoredEntry.GraceOf(value)!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
            Assert.InRange((await EntryTtl.FreshAsync(store.Redis, api.RedisKey(cacheKey)))!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        }
        using var admin = api.CreateAdminClient();
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache?scope=process"));
        Assert.Equal(2, statistics.RootElement.GetProperty("total_cached_keys").GetInt64()); // the two entries, not their copies
    }

    [Fact]
    public async Task Grace_0_keeps_no_copy()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = StaleKit.Settings(null, ("Demo:Ttl:Users", "00:01:00"), ("CacheLayer:Grace", "00:00:00")),
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });

        using var user = await client.GetAsync("/api/users/1");

        Assert.Equal("CacheLayer; fwd=miss; stored", user.CacheStatus());
        var entryTtl = await store.Redis.KeyTimeToLiveAsync(api.RedisKey(StaleKit.UserKey));
        Assert.InRange(entryTtl!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.False(await StaleKit.HasCopyAsync(store.Redis, api, StaleKit.UserKey));
    }

    [Fact]
    public async Task Grace_copies_are_not_counted_as_cached_keys()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = StaleKit.Settings() };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient(new() { HandleCookies = false });
        using var admin = api.CreateAdminClient();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal(1, await TotalCachedKeysAsync(admin));

        await StaleKit.UntilGoneAsync(store.Redis, api.RedisKey(StaleKit.UserKey));

        Assert.True(await StaleKit.HasCopyAsync(store.Redis, api, StaleKit.UserKey));
        Assert.Equal(0, await TotalCachedKeysAsync(admin));
    }

    private static async Task<long> TotalCachedKeysAsync(HttpClient admin)
    {
        using var statistics = JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache?scope=process"));
        return statistics.RootElement.GetProperty("total_cached_keys").GetInt64();
    }
}
