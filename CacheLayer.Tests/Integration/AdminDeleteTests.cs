using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary><c>DELETE /api/cache?key=</c> removes cache entries only, as the layer's registry knows them.</summary>
public class AdminDeleteTests(CacheServerFixture store) : ApiTest(store)
{
    [Theory]
    [InlineData("GET:/api/posts/#gen")]
    [InlineData("GET:/api/posts/#variants")]
    [InlineData("__cachelayer:s0")]
    [InlineData("other-app:session:42")]
    [InlineData("GET:/api/users/99")]
    public async Task A_key_that_is_not_a_live_cache_entry_is_a_404_and_nothing_is_deleted(string key)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        // A foreign key some other application wrote into the same Redis, under the same prefix.
        await Redis.StringSetAsync(Api.RedisKey("other-app:session:42"), "not a cache entry");
        var existed = await Redis.KeyExistsAsync(Api.RedisKey(key));
        using var admin = Api.CreateAdminClient();

        using var response = await admin.DeleteAsync($"/api/cache?key={Uri.EscapeDataString(key)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Cache key not found", (await response.Content.ReadFromJsonAsync<MessageBody>())!.Message);
        Assert.Equal(existed, await Redis.KeyExistsAsync(Api.RedisKey(key)));
        Assert.True(await Redis.KeyExistsAsync(Api.RedisKey("other-app:session:42")));
        Assert.True(await IsCachedAsync("GET:/api/posts/"));
        using var metrics = await admin.GetAsync("/metrics/cache");
        Assert.Contains("\"total_cached_keys\":1", await metrics.Content.ReadAsStringAsync());
    }
}
