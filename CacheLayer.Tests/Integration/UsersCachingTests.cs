using System.Net;
using System.Net.Http.Json;
using System.Text;

using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class UsersCachingTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task A_user_is_cached_for_120_seconds_under_its_key()
    {
        using var miss = await Client.GetAsync("/api/users/1");
        using var hit = await Client.GetAsync("/api/users/1");

        Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Cached User A\"}}", await miss.Content.ReadAsStringAsync());
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(1, await CountEntriesAsync());
        // Layout v3: the seed's key holds the response, fresh for the seed's 120 s; the key lives that plus its grace.
        var ttl = await Redis.KeyTimeToLiveAsync(Api.RedisKey("GET:/api/users/1"));
        var grace = StoredEntry.GraceOf((byte[])(await Redis.StringGetAsync(Api.RedisKey("GET:/api/users/1")))!)!.Value;
        Assert.Equal(TimeSpan.FromMinutes(10), grace);
        Assert.InRange(ttl!.Value - grace, TimeSpan.FromSeconds(115), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task The_same_argument_written_differently_shares_one_key()
    {
        using var first = await Client.GetAsync("/api/users/1");
        using var second = await Client.GetAsync("/api/users/01");

        Assert.Equal("HIT", second.XCache());
    }

    [Fact]
    public async Task An_unknown_user_is_a_404_problem_and_never_cached()
    {
        // A known user is stored: the count below would see the unknown one.
        using var known = await Client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", known.CacheStatus());

        using var first = await Client.GetAsync("/api/users/999");
        using var second = await Client.GetAsync("/api/users/999");

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal("application/problem+json", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("MISS", second.XCache());
        Assert.False(await IsCachedAsync("GET:/api/users/999"));
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task An_id_that_is_not_a_positive_integer_is_a_400_problem_and_never_cached(string id)
    {
        using var known = await Client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", known.CacheStatus());

        using var response = await Client.GetAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(id, await response.Content.ReadAsStringAsync());
        Assert.False(await IsCachedAsync($"GET:/api/users/{id}"));
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task Updating_a_user_invalidates_it_and_the_next_read_shows_the_new_name()
    {
        using var warm = await Client.GetAsync("/api/users/1");
        using var other = await Client.GetAsync("/api/users/2");
        using var cached = await Client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal("CacheLayer; fwd=miss; stored", other.CacheStatus());
        Assert.Equal("HIT", cached.XCache());
        Assert.Equal(2, await CountEntriesAsync());

        using var update = await Client.PutAsJsonAsync("/api/users/1", new { name = "Updated User A" });

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("{\"message\":\"User updated\"}", await update.Content.ReadAsStringAsync());
        Assert.False(await IsCachedAsync("GET:/api/users/1"));
        Assert.True(await IsCachedAsync("GET:/api/users/2"));
        Assert.Equal(1, await CountEntriesAsync());

        using var next = await Client.GetAsync("/api/users/1");
        Assert.Equal("MISS", next.XCache());
        Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Updated User A\"}}", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Updating_an_unknown_user_is_a_404()
    {
        using var response = await Client.PutAsJsonAsync("/api/users/999", new { name = "Nobody" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"   \"}", "name")]
    [InlineData("{}", "name")]
    [InlineData("{\"name\":5}", "JSON")]
    [InlineData("{\"name\":", "JSON")]
    [InlineData("", "body")]
    public async Task A_bad_update_is_a_400_problem_and_changes_nothing(string body, string explanation)
    {
        using var warm = await Client.GetAsync("/api/users/1");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Client.PutAsync("/api/users/1", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(explanation, await response.Content.ReadAsStringAsync());
        Assert.True(await IsCachedAsync("GET:/api/users/1"));
        Assert.Equal(1, await CountEntriesAsync());
        Assert.Equal("Cached User A", await NameOfUserAsync(1));
    }
}
