using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// RFC 9111 §4.2.1: a response's freshness comes from <c>s-maxage</c>, then <c>max-age</c>, then <c>Expires</c>
/// minus <c>Date</c>; an invalid <c>Expires</c> means already expired; <c>CDN-Cache-Control</c> (RFC 9213) counts
/// only for a gateway configured to act as a CDN.
/// </summary>
public sealed class FreshnessTests(CacheServerFixture store) : GatewayTest(store)
{
    [Fact]
    public async Task A_fresh_response_is_answered_by_the_gateway_and_a_stale_one_by_the_origin()
    {
        Origin.On("/fresh/minute", 200, "a minute", ("Cache-Control", "max-age=60"));

        using var miss = await GetAsync("/fresh/minute");
        using var hit = await GetAsync("/fresh/minute");
        Advance(59);
        using var stillFresh = await GetAsync("/fresh/minute");
        Advance(2);
        using var stale = await GetAsync("/fresh/minute");

        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("CacheLayer; fwd=miss; fwd-status=200; stored", GatewayStatus(miss));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("a minute", await BodyOf(hit));
        Assert.Equal("HIT", stillFresh.XCache());
        Assert.NotEqual("HIT", stale.XCache());
        Assert.Equal("a minute", await BodyOf(stale));
        Assert.Equal(2, Origin.Count("/fresh/minute"));
    }

    /// <summary>Each pair differs only in which source says the longer lifetime: the higher-ranked one decides.</summary>
    [Fact]
    public async Task S_maxage_beats_max_age_which_beats_Expires_minus_Date()
    {
        var date = TestOrigin.HttpDate(Time!.GetUtcNow());
        var expiresIn10 = TestOrigin.HttpDate(Time.GetUtcNow().AddSeconds(10));
        var expiresIn100 = TestOrigin.HttpDate(Time.GetUtcNow().AddSeconds(100));
        var paths = new Dictionary<string, (string Name, string Value)[]>
        {
            ["/order/s-maxage-long"] = [("Cache-Control", "max-age=10, s-maxage=100")],
            ["/order/s-maxage-short"] = [("Cache-Control", "s-maxage=10, max-age=100")],
            ["/order/max-age-long"] = [("Cache-Control", "max-age=100"), ("Date", date), ("Expires", expiresIn10)],
            ["/order/max-age-short"] = [("Cache-Control", "max-age=10"), ("Date", date), ("Expires", expiresIn100)],
            ["/order/expires-long"] = [("Date", date), ("Expires", expiresIn100)],
        };
        foreach (var (path, headers) in paths)
        {
            Origin.On(path, 200, path, headers);
            using var warm = await GetAsync(path);
            using var hit = await GetAsync(path);
            Assert.True(hit.XCache() == "HIT", $"{path}: {Describe(hit)}");
        }

        Advance(50);
        foreach (var path in paths.Keys)
        {
            using var later = await GetAsync(path);
            Assert.Equal(path, await BodyOf(later));
        }

        Assert.Equal(1, Origin.Count("/order/s-maxage-long"));
        Assert.Equal(2, Origin.Count("/order/s-maxage-short"));
        Assert.Equal(1, Origin.Count("/order/max-age-long"));
        Assert.Equal(2, Origin.Count("/order/max-age-short"));
        Assert.Equal(1, Origin.Count("/order/expires-long"));

        Advance(51);
        using var expired = await GetAsync("/order/expires-long");
        Assert.NotEqual("HIT", expired.XCache());
        Assert.Equal(2, Origin.Count("/order/expires-long"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("next tuesday")]
    [InlineData("past")]
    public async Task An_Expires_that_is_invalid_zero_or_past_is_never_fresh(string expires)
    {
        var value = expires == "past" ? TestOrigin.HttpDate(Time!.GetUtcNow().AddHours(-1)) : expires;
        Origin.On("/expires", 200, "expired", ("Expires", value));

        using var first = await GetAsync("/expires");
        using var second = await GetAsync("/expires");

        // Kept at most to answer while the origin is unreachable (CacheLayer:Grace), never served as it is.
        Assert.True(second.XCache() is not ("HIT" or "STALE"), Describe(second));
        Assert.Equal("expired", await BodyOf(second));
        Assert.Equal(2, Origin.Count("/expires"));
    }

    /// <summary>
    /// <c>CDN-Cache-Control</c> targets CDNs: a plain gateway goes by <c>Cache-Control</c>, one configured with
    /// <c>ActAsCdn</c> by <c>CDN-Cache-Control</c>, both ways round.
    /// </summary>
    [Fact]
    public async Task CDN_Cache_Control_is_honoured_only_when_the_gateway_acts_as_a_CDN()
    {
        Origin.On("/cdn/stored-by-cdn", 200, "for the CDN", ("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=100"));
        Origin.On("/cdn/kept-from-cdn", 200, "not for the CDN", ("Cache-Control", "max-age=100"), ("CDN-Cache-Control", "no-store"));
        var cdn = await StartGatewayAsync("cdn" + KeyPrefix, new Dictionary<string, string> { ["CacheLayer:OriginDirected:ActAsCdn"] = "true" });

        foreach (var client in new[] { Client, cdn.Client })
        {
            foreach (var path in new[] { "/cdn/stored-by-cdn", "/cdn/kept-from-cdn" })
            {
                using var warm = await GetAsync(client, path);
                Assert.Equal("MISS", warm.XCache());
            }
        }
        using var plainStoredByCdn = await GetAsync(Client, "/cdn/stored-by-cdn");
        using var plainKeptFromCdn = await GetAsync(Client, "/cdn/kept-from-cdn");
        using var cdnStoredByCdn = await GetAsync(cdn.Client, "/cdn/stored-by-cdn");
        using var cdnKeptFromCdn = await GetAsync(cdn.Client, "/cdn/kept-from-cdn");

        Assert.Equal("MISS", plainStoredByCdn.XCache());
        Assert.Contains("detail=no-store", GatewayStatus(plainStoredByCdn));
        Assert.Equal("HIT", plainKeptFromCdn.XCache());
        Assert.Equal("HIT", cdnStoredByCdn.XCache());
        Assert.Equal("for the CDN", await BodyOf(cdnStoredByCdn));
        Assert.Equal("MISS", cdnKeptFromCdn.XCache());
        Assert.Contains("detail=no-store", GatewayStatus(cdnKeptFromCdn));
        // Each path: asked every time by the gateway that may not store it (2), once by the other.
        Assert.Equal(2 + 1, Origin.Count("/cdn/stored-by-cdn"));
        Assert.Equal(1 + 2, Origin.Count("/cdn/kept-from-cdn"));
    }
}
