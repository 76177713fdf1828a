using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// RFC 9111 §4.3: a stale (or <c>no-cache</c>) stored response is validated with the origin by its validators; a
/// <c>304</c> refreshes the stored header fields (§4.3.4) and the stored body answers; a client's own conditional
/// request is answered from a fresh entry.
/// </summary>
public sealed class RevalidationTests(CacheServerFixture store) : GatewayTest(store)
{
    private const string ETag = "\"v1\"";
    private static readonly string LastModified = TestOrigin.HttpDate(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));

    /// <summary>An origin that answers 304 to a request whose validator matches, with a header that says which answer it is.</summary>
    private void ValidatingOrigin(string path, string cacheControl, bool etag = true, bool lastModified = true)
    {
        var answers = 0;
        Origin.On(path, context =>
        {
            var answer = Interlocked.Increment(ref answers);
            var headers = new List<(string, string)> { ("Cache-Control", cacheControl), ("X-Answer", answer.ToString()) };
            if (etag)
            {
                headers.Add(("ETag", ETag));
            }
            if (lastModified)
            {
                headers.Add(("Last-Modified", LastModified));
            }
            var matches = (etag && context.Request.Headers.IfNoneMatch == ETag)
                || (!etag && lastModified && context.Request.Headers.IfModifiedSince == LastModified);
            return TestOrigin.RespondAsync(context, matches ? 304 : 200, "the stored body", [.. headers]);
        });
    }

    [Fact]
    public async Task A_stale_entry_is_revalidated_with_its_validators_and_a_304_refreshes_its_headers_and_serves_its_body()
    {
        ValidatingOrigin("/reval/stale", "max-age=60");

        using var miss = await GetAsync("/reval/stale");
        using var hit = await GetAsync("/reval/stale");
        Advance(61);
        using var revalidated = await GetAsync("/reval/stale");
        using var refreshed = await GetAsync("/reval/stale");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(2, Origin.Count("/reval/stale"));
        var conditional = Origin.Requests("/reval/stale")[1];
        Assert.Equal(ETag, conditional.Header("If-None-Match"));
        Assert.Equal(LastModified, conditional.Header("If-Modified-Since"));
        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal("REVALIDATED", revalidated.XCache());
        Assert.Equal("CacheLayer; fwd=stale; fwd-status=304; stored", GatewayStatus(revalidated));
        Assert.Equal("the stored body", await BodyOf(revalidated));
        Assert.Equal("2", revalidated.Header("X-Answer"));
        // The refreshed entry is fresh for another max-age, with the 304's fields.
        Assert.Equal("HIT", refreshed.XCache());
        Assert.Equal("2", refreshed.Header("X-Answer"));
        Assert.Equal("the stored body", await BodyOf(refreshed));
    }

    [Fact]
    public async Task A_stale_entry_with_only_Last_Modified_is_revalidated_with_If_Modified_Since()
    {
        ValidatingOrigin("/reval/modified", "max-age=60", etag: false);

        using var miss = await GetAsync("/reval/modified");
        Advance(61);
        using var revalidated = await GetAsync("/reval/modified");

        var conditional = Origin.Requests("/reval/modified")[1];
        Assert.Null(conditional.Header("If-None-Match"));
        Assert.Equal(LastModified, conditional.Header("If-Modified-Since"));
        Assert.Equal("REVALIDATED", revalidated.XCache());
        Assert.Equal("the stored body", await BodyOf(revalidated));
    }

    [Fact]
    public async Task A_200_to_a_revalidation_replaces_the_stored_response()
    {
        var version = 1;
        Origin.On("/reval/changed", context =>
        {
            var etag = $"\"v{version}\"";
            return context.Request.Headers.IfNoneMatch == etag
                ? TestOrigin.RespondAsync(context, 304, "", ("Cache-Control", "max-age=60"), ("ETag", etag))
                : TestOrigin.RespondAsync(context, 200, $"version {version}", ("Cache-Control", "max-age=60"), ("ETag", etag));
        });

        using var first = await GetAsync("/reval/changed");
        version = 2;
        Advance(61);
        using var changed = await GetAsync("/reval/changed");
        using var hit = await GetAsync("/reval/changed");

        Assert.Equal("\"v1\"", Origin.Requests("/reval/changed")[1].Header("If-None-Match"));
        Assert.Equal("version 2", await BodyOf(changed));
        Assert.Equal("CacheLayer; fwd=stale; fwd-status=200; stored", GatewayStatus(changed));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("version 2", await BodyOf(hit));
        Assert.Equal(2, Origin.Count("/reval/changed"));
    }

    [Fact]
    public async Task A_no_cache_response_is_stored_but_revalidated_on_every_use()
    {
        ValidatingOrigin("/reval/no-cache", "no-cache");

        using var miss = await GetAsync("/reval/no-cache");
        using var second = await GetAsync("/reval/no-cache");
        using var third = await GetAsync("/reval/no-cache");

        Assert.Equal(3, Origin.Count("/reval/no-cache"));
        Assert.All(Origin.Requests("/reval/no-cache").Skip(1), request => Assert.Equal(ETag, request.Header("If-None-Match")));
        foreach (var response in new[] { second, third })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("REVALIDATED", response.XCache());
            Assert.Equal("the stored body", await BodyOf(response));
        }
    }

    [Fact]
    public async Task A_client_conditional_request_is_answered_304_from_a_fresh_entry()
    {
        ValidatingOrigin("/reval/client", "max-age=60");

        using var miss = await GetAsync("/reval/client");
        using var etagMatches = await GetAsync("/reval/client", ("If-None-Match", ETag));
        using var etagDiffers = await GetAsync("/reval/client", ("If-None-Match", "\"other\""));
        using var notModifiedSince = await GetAsync("/reval/client", ("If-Modified-Since", LastModified));

        Assert.Equal(HttpStatusCode.NotModified, etagMatches.StatusCode);
        Assert.Equal("HIT", etagMatches.XCache());
        Assert.Equal(ETag, etagMatches.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.OK, etagDiffers.StatusCode);
        Assert.Equal("HIT", etagDiffers.XCache());
        Assert.Equal("the stored body", await BodyOf(etagDiffers));
        Assert.Equal(HttpStatusCode.NotModified, notModifiedSince.StatusCode);
        Assert.Equal(1, Origin.Count("/reval/client"));
        // The client's condition is the client's: the origin never saw it.
        Assert.Null(Origin.Requests("/reval/client")[0].Header("If-None-Match"));
    }

    [Fact]
    public async Task A_client_conditional_request_on_a_miss_gets_its_304_while_the_full_response_is_stored()
    {
        ValidatingOrigin("/reval/client-miss", "max-age=60");

        using var conditional = await GetAsync("/reval/client-miss", ("If-None-Match", ETag));
        using var plain = await GetAsync("/reval/client-miss");

        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("HIT", plain.XCache());
        Assert.Equal("the stored body", await BodyOf(plain));
        Assert.Equal(1, Origin.Count("/reval/client-miss"));
    }
}
