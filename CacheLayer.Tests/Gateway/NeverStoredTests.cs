using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// RFC 9111 §3 for a shared cache: what is never stored, so every request reaches the origin, and what the
/// gateway's <c>Cache-Status</c> says about why.
/// </summary>
public sealed class NeverStoredTests(CacheServerFixture store) : GatewayTest(store)
{
    [Theory]
    [InlineData("no-store", "no-store", "Cache-Control", "no-store")]
    [InlineData("no-store-with-max-age", "no-store", "Cache-Control", "max-age=60, no-store")]
    [InlineData("private", "private", "Cache-Control", "private, max-age=60")]
    [InlineData("private-field", "private", "Cache-Control", "max-age=60, private=\"x-user\"")]
    [InlineData("set-cookie", "set-cookie", "Set-Cookie", "session=abc; Path=/")]
    [InlineData("vary-star", "vary", "Vary", "*")]
    [InlineData("vary-star-in-list", "vary", "Vary", "Accept-Encoding, *")]
    [InlineData("no-freshness", "no-freshness", "X-Nothing", "neither freshness nor a validator")]
    public async Task A_response_the_rules_forbid_to_store_goes_to_the_origin_every_time(string name, string detail, string header, string value)
    {
        var path = "/never/" + name;
        (string, string)[] headers = header == "Cache-Control" || header == "X-Nothing"
            ? [(header, value)]
            : [("Cache-Control", "max-age=60"), (header, value)];
        Origin.On(path, 200, "not shared", headers);

        using var first = await GetAsync(path);
        using var second = await GetAsync(path);

        Assert.Equal("MISS", second.XCache());
        Assert.Equal($"CacheLayer; fwd=miss; fwd-status=200; detail={detail}", GatewayStatus(second));
        Assert.Equal("not shared", await BodyOf(second));
        Assert.Equal(2, Origin.Count(path));
    }

    [Fact]
    public async Task A_Set_Cookie_reaches_its_own_client_but_is_never_shared()
    {
        var user = 0;
        Origin.On("/never/cookie", context => TestOrigin.RespondAsync(context, 200, "welcome",
            ("Cache-Control", "max-age=60"), ("Set-Cookie", $"session=user{Interlocked.Increment(ref user)}")));

        using var first = await GetAsync("/never/cookie");
        using var second = await GetAsync("/never/cookie");

        Assert.Equal("session=user1", first.Header("Set-Cookie"));
        Assert.Equal("session=user2", second.Header("Set-Cookie"));
    }

    [Fact]
    public async Task Responses_to_POST_are_not_stored_for_a_later_GET_or_POST()
    {
        Origin.On("/never/post", context => TestOrigin.RespondAsync(context, 200, context.Request.Method + " answer", ("Cache-Control", "max-age=60")));

        using var post = await SendAsync(HttpMethod.Post, "/never/post");
        using var secondPost = await SendAsync(HttpMethod.Post, "/never/post");
        using var get = await GetAsync("/never/post");

        Assert.Equal("POST answer", await BodyOf(secondPost));
        Assert.Equal("GET answer", await BodyOf(get));
        Assert.Equal("MISS", get.XCache());
        Assert.Equal(2, Origin.Count("/never/post", "POST"));
        Assert.Equal(1, Origin.Count("/never/post"));
    }

    /// <summary>RFC 9111 §3.5: a response to a request with <c>Authorization</c> is shared only when it says so.</summary>
    [Theory]
    [InlineData("max-age=60", false)]
    [InlineData("max-age=60, public", true)]
    [InlineData("s-maxage=60", true)]
    [InlineData("max-age=60, must-revalidate", true)]
    public async Task A_response_to_a_request_with_Authorization_is_stored_only_when_it_says_it_may_be(string cacheControl, bool shared)
    {
        Origin.On("/never/authorized", context => TestOrigin.RespondAsync(context, 200, "for " + context.Request.Headers.Authorization, ("Cache-Control", cacheControl)));

        using var first = await GetAsync("/never/authorized", ("Authorization", "Bearer alice"));
        using var second = await GetAsync("/never/authorized", ("Authorization", "Bearer alice"));

        Assert.Equal("for Bearer alice", await BodyOf(second));
        if (shared)
        {
            Assert.Equal("CacheLayer; fwd=miss; fwd-status=200; stored", GatewayStatus(first));
            Assert.Equal("HIT", second.XCache());
            Assert.Equal(1, Origin.Count("/never/authorized"));
        }
        else
        {
            Assert.Equal("CacheLayer; fwd=miss; fwd-status=200; detail=authorization", GatewayStatus(second));
            Assert.Equal(2, Origin.Count("/never/authorized"));
            // Nor is it served to a request without credentials.
            using var anonymous = await GetAsync("/never/authorized");
            Assert.Equal("for ", await BodyOf(anonymous));
            Assert.Equal(3, Origin.Count("/never/authorized"));
        }
    }

    /// <summary>Of what the gateway stores nothing is forwarded that is for one hop or one user: no <c>Set-Cookie</c>, no hop-by-hop field.</summary>
    [Fact]
    public async Task A_stored_response_keeps_its_own_fields_but_not_those_for_one_hop()
    {
        Origin.On("/never/hop", 200, "hop", ("Cache-Control", "max-age=60"), ("Connection", "X-Hop"), ("X-Hop", "this hop only"), ("X-Kept", "kept"));

        using var miss = await GetAsync("/never/hop");
        using var hit = await GetAsync("/never/hop");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("kept", hit.Header("X-Kept"));
        Assert.Null(hit.Header("X-Hop"));
        Assert.Null(miss.Header("X-Hop"));
    }
}
