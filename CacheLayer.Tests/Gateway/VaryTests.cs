using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>RFC 9111 §4.1: the origin's <c>Vary</c> selects which stored response answers a request.</summary>
public sealed class VaryTests(CacheServerFixture store) : GatewayTest(store)
{
    [Fact]
    public async Task Each_variant_is_stored_and_answers_only_requests_that_send_what_selected_it()
    {
        Origin.On("/vary/greeting", context => TestOrigin.RespondAsync(context, 200, "hello in " + context.Request.Headers.AcceptLanguage,
            ("Cache-Control", "max-age=60"), ("Vary", "Accept-Language")));

        using var english = await GetAsync("/vary/greeting", ("Accept-Language", "en"));
        using var french = await GetAsync("/vary/greeting", ("Accept-Language", "fr"));
        using var englishAgain = await GetAsync("/vary/greeting", ("Accept-Language", "en"));
        using var frenchAgain = await GetAsync("/vary/greeting", ("Accept-Language", "fr"));
        Assert.Equal(2, Origin.Count("/vary/greeting"));
        using var german = await GetAsync("/vary/greeting", ("Accept-Language", "de"));
        using var none = await GetAsync("/vary/greeting");

        Assert.Equal("MISS", english.XCache());
        Assert.Equal("MISS", french.XCache());
        Assert.Equal("HIT", englishAgain.XCache());
        Assert.Equal("hello in en", await BodyOf(englishAgain));
        Assert.Equal("HIT", frenchAgain.XCache());
        Assert.Equal("hello in fr", await BodyOf(frenchAgain));
        Assert.Equal("MISS", german.XCache());
        Assert.Equal("hello in de", await BodyOf(german));
        Assert.Equal("MISS", none.XCache());
        Assert.Equal("hello in ", await BodyOf(none));
        Assert.Equal(4, Origin.Count("/vary/greeting"));
    }

    [Fact]
    public async Task A_response_stored_without_the_header_does_not_answer_a_request_with_it()
    {
        Origin.On("/vary/encoding", context => TestOrigin.RespondAsync(context, 200, "encoded as " + context.Request.Headers.AcceptEncoding,
            ("Cache-Control", "max-age=60"), ("Vary", "Accept-Encoding")));

        using var plain = await GetAsync("/vary/encoding");
        using var plainAgain = await GetAsync("/vary/encoding");
        using var gzip = await GetAsync("/vary/encoding", ("Accept-Encoding", "gzip"));

        Assert.Equal("HIT", plainAgain.XCache());
        Assert.Equal("MISS", gzip.XCache());
        Assert.Equal("encoded as gzip", await BodyOf(gzip));
        Assert.Equal(2, Origin.Count("/vary/encoding"));
    }

    /// <summary>Values compare after whitespace is normalized (RFC 9111 §4.1), so a client's spacing splits no variant.</summary>
    [Fact]
    public async Task Variants_match_on_the_normalized_value()
    {
        Origin.On("/vary/normalized", context => TestOrigin.RespondAsync(context, 200, "one",
            ("Cache-Control", "max-age=60"), ("Vary", "Accept-Language")));

        using var first = await GetAsync("/vary/normalized", ("Accept-Language", "en, fr"));
        using var spaced = await GetAsync("/vary/normalized", ("Accept-Language", "en,   fr"));

        Assert.Equal("HIT", spaced.XCache());
        Assert.Equal(1, Origin.Count("/vary/normalized"));
    }

    [Fact]
    public async Task A_response_varying_on_two_headers_needs_both_to_match()
    {
        Origin.On("/vary/two", context => TestOrigin.RespondAsync(context, 200, $"{context.Request.Headers.AcceptLanguage}/{context.Request.Headers["X-Tenant"]}",
            ("Cache-Control", "max-age=60"), ("Vary", "Accept-Language, X-Tenant")));

        using var first = await GetAsync("/vary/two", ("Accept-Language", "en"), ("X-Tenant", "a"));
        using var same = await GetAsync("/vary/two", ("Accept-Language", "en"), ("X-Tenant", "a"));
        using var otherTenant = await GetAsync("/vary/two", ("Accept-Language", "en"), ("X-Tenant", "b"));

        Assert.Equal("HIT", same.XCache());
        Assert.Equal("MISS", otherTenant.XCache());
        Assert.Equal("en/b", await BodyOf(otherTenant));
        Assert.Equal(2, Origin.Count("/vary/two"));
    }
}
