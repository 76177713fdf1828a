using System.Net;
using System.Net.Http.Json;
using CacheLayer.Api.Posts;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class PostsCachingTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task First_read_misses_and_stores_then_a_hit_returns_the_same_status_type_and_bytes()
    {
        await Api.WaitUntilMemoryTierActiveAsync();
        using var miss = await Client.GetAsync("/api/posts/");
        using var hit = await Client.GetAsync("/api/posts/");

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Null(miss.Headers.Age);
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await miss.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("HIT", hit.XCache());
        Assert.Matches(@"^CacheLayer; hit; ttl=(89|90); detail=memory$", hit.CacheStatus());
        Assert.NotNull(hit.Headers.Age);
        Assert.Equal(miss.Content.Headers.ContentType, hit.Content.Headers.ContentType);
        Assert.Equal(await miss.Content.ReadAsByteArrayAsync(), await hit.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_entry_lives_in_redis_under_its_key_with_the_endpoint_ttl()
    {
        using var miss = await Client.GetAsync("/api/posts/");

        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal(1, await CountEntriesAsync());
        var ttl = await EntryTtl.FreshAsync(Redis, Api.RedisKey("GET:/api/posts/"));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(85), TimeSpan.FromSeconds(90));
    }

    [Theory]
    [InlineData("/api/posts")]
    [InlineData("/API/Posts/")]
    [InlineData("/api/POSTS")]
    public async Task Case_and_trailing_slash_do_not_split_the_key(string path)
    {
        using var first = await Client.GetAsync("/api/posts/");
        using var second = await Client.GetAsync(path);

        Assert.Equal("HIT", second.XCache());
    }

    [Fact]
    public async Task Bound_query_parameters_are_part_of_the_key_in_sorted_order()
    {
        using var first = await Client.GetAsync("/api/posts/?pageSize=1&page=2");
        using var reordered = await Client.GetAsync("/api/posts/?page=2&pageSize=1");
        using var other = await Client.GetAsync("/api/posts/?page=2");

        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2&pagesize=1"));
        Assert.Equal("{\"posts\":[\"Cached post B\"]}", await reordered.Content.ReadAsStringAsync());
        Assert.Equal("HIT", reordered.XCache());
        Assert.Equal("MISS", other.XCache());
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2"));
        Assert.Equal(2, await CountEntriesAsync());
    }

    [Fact]
    public async Task Nocache_neither_reads_nor_writes_the_cache()
    {
        using var bypass = await Client.GetAsync("/api/posts/?nocache=true");
        Assert.Equal("BYPASS", bypass.XCache());
        Assert.Equal("CacheLayer; fwd=bypass", bypass.CacheStatus());
        Assert.False(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(0, await CountEntriesAsync());

        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal(1, await CountEntriesAsync());
        // Changed behind the cache's back: only a request that skips the cache can see it.
        await Api.Service<IPostStore>().AddAsync("Added behind the cache", CancellationToken.None);

        var cached = await Client.GetFromJsonAsync<PostsBody>("/api/posts/");
        var fresh = await Client.GetFromJsonAsync<PostsBody>("/api/posts/?nocache=true");
        Assert.DoesNotContain("Added behind the cache", cached!.Posts);
        Assert.Contains("Added behind the cache", fresh!.Posts);
    }

    [Fact]
    public async Task Creating_a_post_invalidates_every_variant_and_the_next_read_shows_it()
    {
        foreach (var path in new[] { "/api/posts/", "/api/posts/?page=2", "/api/posts/?page=3&pageSize=10" })
        {
            using var warm = await Client.GetAsync(path);
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        }
        using var cached = await Client.GetAsync("/api/posts/?page=2");
        Assert.Equal("HIT", cached.XCache());
        Assert.True(await IsCachedAsync("GET:/api/posts/"));
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2"));
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=3&pagesize=10"));
        Assert.Equal(3, await CountEntriesAsync());

        using var created = await Client.PostAsJsonAsync("/api/posts/", new { title = "New Post A" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Post created", (await created.Content.ReadFromJsonAsync<MessageBody>())!.Message);
        Assert.False(await IsCachedAsync("GET:/api/posts/"));
        Assert.False(await IsCachedAsync("GET:/api/posts/?page=2"));
        Assert.False(await IsCachedAsync("GET:/api/posts/?page=3&pagesize=10"));
        Assert.Equal(0, await CountEntriesAsync());

        using var next = await Client.GetAsync("/api/posts");
        Assert.Equal("MISS", next.XCache());
        Assert.Equal(["Cached post A", "Cached post B", "New Post A"], (await next.Content.ReadFromJsonAsync<PostsBody>())!.Posts);
    }

    [Theory]
    [InlineData("{\"title\":\"\"}")]
    [InlineData("{\"title\":42}")]
    [InlineData("{\"title\":")]
    [InlineData("{}")]
    public async Task A_bad_post_body_is_a_400_problem_and_changes_nothing(string body)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Client.PostAsync("/api/posts/", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(1, await CountEntriesAsync());
        var posts = await Client.GetFromJsonAsync<PostsBody>("/api/posts/?nocache=true");
        Assert.Equal(2, posts!.Posts.Length);
    }
}
