using CacheLayer.Api.Posts;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>Request Cache-Control: what a client may ask of the cache.</summary>
public class RequestDirectiveTests(CacheServerFixture store) : ApiTest(store)
{
    [Theory]
    [InlineData("Cache-Control", "no-cache")]
    [InlineData("Cache-Control", "max-age=0")]
    [InlineData("Cache-Control", "max-age=0, must-revalidate")]
    [InlineData("Pragma", "no-cache")]
    public async Task No_cache_skips_the_read_and_refreshes_the_entry(string header, string value)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        await ChangePostsBehindTheCacheAsync();

        using var refreshed = await Send(header, value);
        using var next = await Client.GetAsync("/api/posts/");

        Assert.Equal("MISS", refreshed.XCache());
        Assert.Equal("CacheLayer; fwd=request; stored", refreshed.CacheStatus());
        Assert.Contains("Changed", await refreshed.Content.ReadAsStringAsync());
        Assert.Equal("HIT", next.XCache());
        Assert.Contains("Changed", await next.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("no-cache, no-store")]
    [InlineData("no-store, max-age=0")]
    public async Task No_store_neither_reads_nor_writes(string value)
    {
        using var cold = await Send("Cache-Control", value);
        Assert.Equal("BYPASS", cold.XCache());
        Assert.Equal("CacheLayer; fwd=bypass; detail=no-store", cold.CacheStatus());
        Assert.False(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(0, await CountEntriesAsync());

        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal(1, await CountEntriesAsync());
        await ChangePostsBehindTheCacheAsync();
        using var uncached = await Send("Cache-Control", value);

        Assert.Contains("Changed", await uncached.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Changed", await Client.GetStringAsync("/api/posts/"));
    }

    [Theory]
    [InlineData("max-age=60")]
    [InlineData("no-transform")]
    [InlineData("garbage;;;")]
    public async Task Other_directives_leave_the_cache_alone(string value)
    {
        using var warm = await Client.GetAsync("/api/posts/");

        using var response = await Send("Cache-Control", value);

        Assert.Equal("HIT", response.XCache());
    }

    private Task ChangePostsBehindTheCacheAsync() => Api.Service<IPostStore>().AddAsync("Changed", CancellationToken.None);

    private Task<HttpResponseMessage> Send(string header, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/posts/");
        request.Headers.TryAddWithoutValidation(header, value);
        return Client.SendAsync(request);
    }
}
