using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>RFC 9111 §4.2.3 and §5.1: the origin's (or an upstream cache's) <c>Age</c> counts against freshness, and a hit says its age.</summary>
public sealed class AgeTests(CacheServerFixture store) : GatewayTest(store)
{
    [Fact]
    public async Task An_upstream_Age_is_counted_so_max_age_60_with_Age_50_is_fresh_for_10_seconds()
    {
        Origin.On("/age/fifty", 200, "aged", ("Cache-Control", "max-age=60"), ("Age", "50"));

        using var miss = await GetAsync("/age/fifty");
        using var hit = await GetAsync("/age/fifty");
        Advance(9);
        using var stillFresh = await GetAsync("/age/fifty");
        Advance(2);
        using var stale = await GetAsync("/age/fifty");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("50", hit.Header("Age"));
        Assert.Matches("^CacheLayer; hit; ttl=10(;|$)", GatewayStatus(hit));
        Assert.Equal("HIT", stillFresh.XCache());
        Assert.Equal("59", stillFresh.Header("Age"));
        Assert.NotEqual("HIT", stale.XCache());
        Assert.Equal(2, Origin.Count("/age/fifty"));
    }

    [Fact]
    public async Task A_response_older_than_its_max_age_is_never_fresh()
    {
        Origin.On("/age/seventy", 200, "too old", ("Cache-Control", "max-age=60"), ("Age", "70"));

        using var first = await GetAsync("/age/seventy");
        using var second = await GetAsync("/age/seventy");

        Assert.NotEqual("HIT", second.XCache());
        Assert.Equal("too old", await BodyOf(second));
        Assert.Equal(2, Origin.Count("/age/seventy"));
    }

    [Fact]
    public async Task A_hit_carries_an_Age_that_grows_as_its_freshness_runs_down()
    {
        Origin.On("/age/grows", 200, "growing", ("Cache-Control", "max-age=100"));

        using var miss = await GetAsync("/age/grows");
        using var hit = await GetAsync("/age/grows");
        Advance(30);
        using var older = await GetAsync("/age/grows");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("0", hit.Header("Age"));
        Assert.Matches("^CacheLayer; hit; ttl=100(;|$)", GatewayStatus(hit));
        Assert.Equal("HIT", older.XCache());
        Assert.Equal("30", older.Header("Age"));
        Assert.Matches("^CacheLayer; hit; ttl=70(;|$)", GatewayStatus(older));
        Assert.Equal(1, Origin.Count("/age/grows"));
    }
}
