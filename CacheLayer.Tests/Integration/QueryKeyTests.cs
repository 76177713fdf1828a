using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>The demo's keys hold the query parameters its handlers bind, nothing a client adds; the host is not part of them.</summary>
public class QueryKeyTests(CacheServerFixture store) : ApiTest(store)
{
    [Theory]
    [InlineData("/api/posts/?utm_source=x")]
    [InlineData("/api/posts/?utm_source=x&utm_campaign=y&fbclid=z")]
    [InlineData("/api/posts?size=10&q=anything")]
    public async Task A_parameter_the_handler_does_not_bind_is_a_hit_on_the_plain_entry(string path)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Client.GetAsync(path);

        Assert.Equal("HIT", response.XCache());
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task Each_page_is_its_own_entry()
    {
        using var warm = await Client.GetAsync("/api/posts/");
        using var second = await Client.GetAsync("/api/posts/?page=2&pageSize=1");
        using var secondAgain = await Client.GetAsync("/api/posts/?PageSize=1&Page=2");
        using var past = await Client.GetAsync("/api/posts/?page=2");

        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await warm.Content.ReadAsStringAsync());
        Assert.Equal("CacheLayer; fwd=miss; stored", second.CacheStatus());
        Assert.Equal("{\"posts\":[\"Cached post B\"]}", await second.Content.ReadAsStringAsync());
        Assert.Equal("HIT", secondAgain.XCache());
        Assert.Equal(HttpStatusCode.OK, past.StatusCode);
        Assert.Equal("{\"posts\":[]}", await past.Content.ReadAsStringAsync());
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2&pagesize=1"));
        Assert.True(await IsCachedAsync("GET:/api/posts/?page=2"));
        Assert.Equal(3, await CountEntriesAsync());
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?page=-1")]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=101")]
    [InlineData("?page=abc")]
    [InlineData("?pageSize=1.5")]
    public async Task Bad_paging_is_a_400_problem_and_changes_nothing(string query)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var response = await Client.GetAsync("/api/posts/" + query);
        using var again = await Client.GetAsync("/api/posts/" + query);
        using var plain = await Client.GetAsync("/api/posts/");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.NotEqual("HIT", again.XCache());
        Assert.Equal("HIT", plain.XCache());
        Assert.Equal(1, await CountEntriesAsync());
    }

    [Fact]
    public async Task A_host_the_app_does_not_serve_is_refused_and_caches_nothing()
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/posts/?page=2");
        request.Headers.Host = "evil.example";
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.XCache());
        Assert.Equal(1, await CountEntriesAsync());
    }
}
