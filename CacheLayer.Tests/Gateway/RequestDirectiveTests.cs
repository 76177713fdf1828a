using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>RFC 9111 §5.2.1: the client's own <c>Cache-Control</c>.</summary>
public sealed class RequestDirectiveTests(CacheServerFixture store) : GatewayTest(store)
{
    [Fact]
    public async Task Only_if_cached_gets_a_504_when_nothing_is_stored_and_the_stored_response_when_it_is()
    {
        Origin.On("/req/only-if-cached", 200, "stored", ("Cache-Control", "max-age=60"));

        using var nothing = await GetAsync("/req/only-if-cached", ("Cache-Control", "only-if-cached"));
        Assert.Equal(0, Origin.Count("/req/only-if-cached"));
        using var warm = await GetAsync("/req/only-if-cached");
        using var stored = await GetAsync("/req/only-if-cached", ("Cache-Control", "only-if-cached"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, nothing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("HIT", stored.XCache());
        Assert.Equal("stored", await BodyOf(stored));
        Assert.Equal(1, Origin.Count("/req/only-if-cached"));
    }

    [Fact]
    public async Task A_no_store_request_bypasses_the_cache_and_its_answer_is_not_stored()
    {
        var answers = 0;
        Origin.On("/req/no-store", context => TestOrigin.RespondAsync(context, 200, $"answer {Interlocked.Increment(ref answers)}", ("Cache-Control", "max-age=60")));

        using var bypassed = await GetAsync("/req/no-store", ("Cache-Control", "no-store"));
        using var miss = await GetAsync("/req/no-store");
        using var bypassedAgain = await GetAsync("/req/no-store", ("Cache-Control", "no-store"));
        using var hit = await GetAsync("/req/no-store");

        Assert.Equal("BYPASS", bypassed.XCache());
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("answer 2", await BodyOf(miss));
        Assert.Equal("BYPASS", bypassedAgain.XCache());
        Assert.Equal("answer 3", await BodyOf(bypassedAgain));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("answer 2", await BodyOf(hit));
    }

    [Fact]
    public async Task A_no_cache_request_goes_to_the_origin_even_when_the_entry_is_fresh()
    {
        var answers = 0;
        Origin.On("/req/no-cache", context => TestOrigin.RespondAsync(context, 200, $"answer {Interlocked.Increment(ref answers)}", ("Cache-Control", "max-age=60")));

        using var miss = await GetAsync("/req/no-cache");
        using var reloaded = await GetAsync("/req/no-cache", ("Cache-Control", "no-cache"));
        using var hit = await GetAsync("/req/no-cache");

        Assert.Equal("answer 2", await BodyOf(reloaded));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("answer 2", await BodyOf(hit));
        Assert.Equal(2, Origin.Count("/req/no-cache"));
    }

    [Theory]
    [InlineData("x-unknown")]
    [InlineData("x-unknown=\"a, b\", foo=bar")]
    [InlineData("max-age=60, x-unknown")]
    public async Task Unknown_request_directives_are_ignored(string cacheControl)
    {
        Origin.On("/req/unknown", 200, "stored", ("Cache-Control", "max-age=60"));

        using var warm = await GetAsync("/req/unknown");
        using var hit = await GetAsync("/req/unknown", ("Cache-Control", cacheControl));

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(1, Origin.Count("/req/unknown"));
    }

    [Fact]
    public async Task Unknown_response_directives_are_ignored()
    {
        Origin.On("/req/unknown-response", 200, "stored", ("Cache-Control", "x-ext=\"a, no-store\", max-age=60, x-flag"));

        using var warm = await GetAsync("/req/unknown-response");
        using var hit = await GetAsync("/req/unknown-response");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(1, Origin.Count("/req/unknown-response"));
    }
}
