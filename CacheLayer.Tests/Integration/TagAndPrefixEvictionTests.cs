using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

// 1,200 variants of one path: above the default MaxVariantsPerPath.
public class TagAndPrefixEvictionTests(CacheServerFixture store)
    : ApiTest(store, new() { ["CacheLayer:MaxVariantsPerPath"] = "2000" })
{
    [Fact]
    public async Task Deleting_a_tag_evicts_every_variant_carrying_it_and_nothing_else()
    {
        await WarmAsync();
        using var admin = Api.CreateAdminClient();

        using var response = await admin.DeleteAsync("/api/cache?tag=posts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1200, (await response.Content.ReadFromJsonAsync<DeletedBody>())!.Deleted);
        Assert.Equal(0, await CountAsync("GET:/api/posts/"));
        Assert.Equal(2, await CountAsync("GET:/api/users/"));
        using var next = await Client.GetAsync("/api/posts/?page=7");
        Assert.Equal("MISS", next.XCache());
    }

    [Fact]
    public async Task Deleting_a_prefix_evicts_every_key_under_it_and_nothing_else()
    {
        await WarmAsync();
        using var admin = Api.CreateAdminClient();

        using var users = await admin.DeleteAsync("/api/cache?prefix=GET:/api/users/");
        using var page1x = await admin.DeleteAsync("/api/cache?prefix=" + Uri.EscapeDataString("GET:/api/posts/?page=1"));

        Assert.Equal(2, (await users.Content.ReadFromJsonAsync<DeletedBody>())!.Deleted);
        Assert.Equal(0, await CountAsync("GET:/api/users/"));
        // page=1, page=10..19, page=100..199 and page=1000, in both page sizes
        Assert.Equal(2 * (1 + 10 + 100 + 1), (await page1x.Content.ReadFromJsonAsync<DeletedBody>())!.Deleted);
        Assert.Equal(1200 - 224, await CountAsync("GET:/api/posts/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?key=a&tag=b")]
    [InlineData("?tag=posts&prefix=GET:")]
    public async Task Deleting_needs_exactly_one_of_key_tag_or_prefix(string query)
    {
        using var admin = Api.CreateAdminClient();

        using var response = await admin.DeleteAsync("/api/cache" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bookkeeping_holds_only_live_keys_after_eviction()
    {
        await WarmAsync();
        Assert.Equal(1202, await CountEntriesAsync());
        using var admin = Api.CreateAdminClient();

        using var tag = await admin.DeleteAsync("/api/cache?tag=posts");
        using var prefix = await admin.DeleteAsync("/api/cache?prefix=GET:");

        // Left: the generations (expiring), the tag indexes (expiring, trimmed by expiry on writes), the
        // invalidation log (expiring) and the statistics this replica publishes (expiring within seconds unless republished).
        var leftovers = new List<string>();
        foreach (var pattern in new[] { Api.KeyPrefix + "*", "{" + Api.KeyPrefix + "*" })
        {
            await foreach (var key in Store.RedisServer.KeysAsync(pattern: pattern))
            {
                var name = key.ToString();
                if (!name.EndsWith("#gen", StringComparison.Ordinal) && !name.Contains("__cachelayer:tag:", StringComparison.Ordinal)
                    && !name.Contains("}tag:", StringComparison.Ordinal)
                    && !name.Contains("__cachelayer:log}", StringComparison.Ordinal)
                    && !name.Contains("__cachelayer:stats}", StringComparison.Ordinal))
                {
                    leftovers.Add(name);
                }
                Assert.NotNull(await Redis.KeyTimeToLiveAsync(key));
            }
        }
        Assert.Empty(leftovers);
        Assert.Equal(0, await CountEntriesAsync());
    }

    // 600 pages in two page sizes (1,200 posts entries) and two users.
    private async Task WarmAsync()
    {
        var requests = Enumerable.Range(1, 1000).Where(page => page <= 500 || page % 5 == 0)
            .SelectMany(page => new[] { "", "&pageSize=10" }.Select(size => $"/api/posts/?page={page}{size}"))
            .Append("/api/users/1").Append("/api/users/2");
        foreach (var path in requests)
        {
            using var response = await Client.GetAsync(path);
            Assert.Equal("CacheLayer; fwd=miss; stored", response.CacheStatus());
        }
    }

    private async Task<int> CountAsync(string cacheKeyPrefix) =>
        (await Store.EntryKeysAsync(Api.KeyPrefix)).Count(key =>
            CacheServerFixture.CacheKeyOf(key, Api.KeyPrefix).StartsWith(cacheKeyPrefix, StringComparison.Ordinal));

    private sealed record DeletedBody(string Message, long Deleted);
}
