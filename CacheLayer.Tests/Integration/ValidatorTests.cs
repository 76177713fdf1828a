using System.Net;
using Microsoft.Extensions.DependencyInjection;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>ETag, If-None-Match and HEAD, on hits and misses.</summary>
public class ValidatorTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task A_cached_route_sends_a_strong_etag_the_same_on_every_replica_with_no_cache()
    {
        using var miss = await Client.GetAsync("/api/posts/");
        using var hit = await Client.GetAsync("/api/posts/");
        await using var replica = new ApiFactory(Store.Server.ConnectionString);
        using var elsewhere = await replica.CreateClient().GetAsync("/api/posts/");

        Assert.NotNull(miss.Headers.ETag);
        Assert.False(miss.Headers.ETag.IsWeak);
        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(miss.Headers.ETag, hit.Headers.ETag);
        Assert.Equal(miss.Headers.ETag, elsewhere.Headers.ETag);
        Assert.True(hit.Headers.CacheControl?.NoCache);
    }

    [Fact]
    public async Task A_matching_if_none_match_gets_304_without_a_body_on_a_hit_and_on_a_miss()
    {
        using var first = await Client.GetAsync("/api/users/1");
        var etag = first.Headers.ETag!;

        using var onHit = await Conditional("/api/users/1", etag.Tag);
        var metrics = PrometheusSamples.Parse(await Client.GetStringAsync("/metrics"));
        await using var cold = new ApiFactory(Store.Server.ConnectionString);
        using var coldClient = cold.CreateClient();
        using var onMiss = await Conditional("/api/users/1", etag.Tag, coldClient);

        Assert.Equal(HttpStatusCode.NotModified, onHit.StatusCode);
        Assert.Equal("HIT", onHit.XCache());
        Assert.Equal(etag, onHit.Headers.ETag);
        Assert.Empty(await onHit.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, onMiss.StatusCode);
        Assert.Equal("MISS", onMiss.XCache());
        Assert.Empty(await onMiss.Content.ReadAsByteArrayAsync());
        Assert.True(await cold.Services.GetRequiredKeyedService<StackExchange.Redis.IConnectionMultiplexer>("cache").GetDatabase().KeyExistsAsync(cold.RedisKey("GET:/api/users/1")));
        Assert.Equal(1, await Store.CountEntriesAsync(cold.KeyPrefix));

        var scope = PrometheusSamples.CacheScope;
        Assert.Equal(1, metrics.Single("cachelayer_cache_not_modified_total", scope, ("http_route", "/api/users/{id}")));
        Assert.Equal(1, metrics.Single("cachelayer_cache_hits_total", scope, ("cachelayer_tier", onHit.HitTier()), ("http_route", "/api/users/{id}")));
        Assert.Single(metrics.Matching("cachelayer_cache_hits_total", ("http_route", "/api/users/{id}")));
    }

    [Theory]
    [InlineData("\"other\"", HttpStatusCode.OK)]
    [InlineData("*", HttpStatusCode.NotModified)]
    [InlineData("\"other\", ETAG", HttpStatusCode.NotModified)]
    [InlineData("W/ETAG", HttpStatusCode.NotModified)]
    public async Task If_none_match_compares_weakly_against_every_listed_tag(string header, HttpStatusCode expected)
    {
        using var first = await Client.GetAsync("/api/posts/");

        using var response = await Conditional("/api/posts/", header.Replace("ETAG", first.Headers.ETag!.Tag));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_changed_body_gets_a_new_etag_and_the_old_one_no_longer_matches()
    {
        using var before = await Client.GetAsync("/api/users/1");
        using var unchanged = await Conditional("/api/users/1", before.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal("HIT", unchanged.XCache());
        using var update = await Client.PutAsync("/api/users/1", new StringContent("{\"name\":\"Updated\"}", System.Text.Encoding.UTF8, "application/json"));

        using var after = await Conditional("/api/users/1", before.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task Head_is_answered_from_the_get_entry_with_headers_only()
    {
        using var headMiss = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/posts/"));
        using var headHit = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/posts/"));
        using var get = await Client.GetAsync("/api/posts/");
        var body = await get.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, headMiss.StatusCode);
        Assert.Equal("CacheLayer; fwd=miss; stored", headMiss.CacheStatus());
        Assert.Equal("HIT", headHit.XCache());
        Assert.Equal("HIT", get.XCache());
        Assert.Empty(await headHit.Content.ReadAsByteArrayAsync());
        Assert.Equal(body.Length, headHit.Content.Headers.ContentLength);
        Assert.Equal(get.Content.Headers.ContentType, headHit.Content.Headers.ContentType);
        Assert.Equal(get.Headers.ETag, headHit.Headers.ETag);
    }

    private async Task<HttpResponseMessage> Conditional(string path, string ifNoneMatch, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await (client ?? Client).SendAsync(request);
    }
}
