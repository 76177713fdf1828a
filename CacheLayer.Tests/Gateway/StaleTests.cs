using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// RFC 5861 and RFC 9111 §4.2.4: <c>stale-while-revalidate</c> and <c>stale-if-error</c> allow a stale answer;
/// <c>must-revalidate</c> and <c>proxy-revalidate</c> forbid it; without them an error reaches the client.
/// </summary>
public sealed class StaleTests(CacheServerFixture store) : GatewayTest(store)
{
    /// <summary>An origin that answers 200 until <paramref name="failing"/> says otherwise, then that status.</summary>
    private Func<int> Scripted(string path, string cacheControl, Func<int?> failing)
    {
        var answers = 0;
        Origin.On(path, context =>
        {
            var answer = Interlocked.Increment(ref answers);
            return failing() is { } status
                ? TestOrigin.RespondAsync(context, status, "origin failed", ("Cache-Control", "no-store"))
                : TestOrigin.RespondAsync(context, 200, $"answer {answer}", ("Cache-Control", cacheControl));
        });
        return () => answers;
    }

    [Fact]
    public async Task Stale_while_revalidate_serves_the_stale_response_within_its_window_and_not_after()
    {
        Scripted("/stale/swr", "max-age=60, stale-while-revalidate=30", () => null);

        using var miss = await GetAsync("/stale/swr");
        Advance(70);
        using var stale = await GetAsync("/stale/swr");
        Advance(25);
        using var past = await GetAsync("/stale/swr");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Matches("^CacheLayer; hit; ttl=-10; detail=stale-while-revalidate$", GatewayStatus(stale));
        Assert.Equal("answer 1", await BodyOf(stale));
        Assert.Equal("70", stale.Header("Age"));
        Assert.NotEqual("STALE", past.XCache());
        Assert.Equal(HttpStatusCode.OK, past.StatusCode);
        Assert.StartsWith("answer ", await BodyOf(past));
        Assert.NotEqual("answer 1", await BodyOf(past));
    }

    [Fact]
    public async Task Stale_if_error_serves_the_stale_response_when_the_origin_answers_503()
    {
        int? failing = null;
        Scripted("/stale/sie-503", "max-age=60, stale-if-error=300", () => failing);

        using var miss = await GetAsync("/stale/sie-503");
        failing = 503;
        Advance(70);
        using var stale = await GetAsync("/stale/sie-503");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-10; fwd=stale; fwd-status=503; detail=stale-if-error", GatewayStatus(stale));
        Assert.Equal("answer 1", await BodyOf(stale));
        Assert.Equal(2, Origin.Count("/stale/sie-503"));
    }

    [Fact]
    public async Task Stale_if_error_serves_the_stale_response_when_the_origin_is_down()
    {
        Scripted("/stale/sie-down", "max-age=60, stale-if-error=300", () => null);
        Scripted("/stale/plain-down", "max-age=60", () => null);
        Scripted("/stale/must-down", "max-age=60, must-revalidate", () => null);

        using var miss = await GetAsync("/stale/sie-down");
        using var plainMiss = await GetAsync("/stale/plain-down");
        using var mustMiss = await GetAsync("/stale/must-down");
        await Origin.DisposeAsync();
        Advance(70);
        using var stale = await GetAsync("/stale/sie-down");
        using var disconnected = await GetAsync("/stale/plain-down");
        using var forbidden = await GetAsync("/stale/must-down");
        using var neverStored = await GetAsync("/stale/never-asked");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("CacheLayer; hit; ttl=-10; fwd=stale; fwd-status=502; detail=stale-if-error", GatewayStatus(stale));
        Assert.Equal("answer 1", await BodyOf(stale));
        // Without stale-if-error, a disconnected cache's stale answer (RFC 9111 §4.2.4) within CacheLayer:Grace.
        Assert.Equal(HttpStatusCode.OK, disconnected.StatusCode);
        Assert.Equal("STALE", disconnected.XCache());
        Assert.Contains("detail=origin-unreachable", GatewayStatus(disconnected));
        // What must be revalidated, and what was never stored, get the proxy's own 502.
        Assert.Equal(HttpStatusCode.BadGateway, forbidden.StatusCode);
        Assert.NotEqual("STALE", forbidden.XCache());
        Assert.Equal(HttpStatusCode.BadGateway, neverStored.StatusCode);
    }

    [Theory]
    [InlineData("must-revalidate")]
    [InlineData("proxy-revalidate")]
    public async Task Must_revalidate_forbids_serving_stale_either_while_revalidating_or_on_error(string directive)
    {
        int? failing = null;
        Scripted("/stale/must", $"max-age=60, {directive}, stale-while-revalidate=300, stale-if-error=300", () => failing);

        using var miss = await GetAsync("/stale/must");
        Advance(70);
        using var revalidated = await GetAsync("/stale/must");
        failing = 503;
        Advance(70);
        using var error = await GetAsync("/stale/must");

        Assert.NotEqual("STALE", revalidated.XCache());
        Assert.Equal("answer 2", await BodyOf(revalidated));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.NotEqual("STALE", error.XCache());
        Assert.Equal("origin failed", await BodyOf(error));
        Assert.Equal(3, Origin.Count("/stale/must"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_stale_if_error_an_origin_error_reaches_the_client(bool withValidator)
    {
        int? failing = null;
        var path = withValidator ? "/stale/error-etag" : "/stale/error";
        var answers = 0;
        Origin.On(path, context =>
        {
            Interlocked.Increment(ref answers);
            return failing is { } status
                ? TestOrigin.RespondAsync(context, status, "origin failed", ("Cache-Control", "no-store"))
                : withValidator
                    ? TestOrigin.RespondAsync(context, 200, "answer", ("Cache-Control", "max-age=60"), ("ETag", "\"e\""))
                    : TestOrigin.RespondAsync(context, 200, "answer", ("Cache-Control", "max-age=60"));
        });

        using var miss = await GetAsync(path);
        failing = 503;
        Advance(61);
        using var error = await GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("origin failed", await BodyOf(error));
        Assert.NotEqual("STALE", error.XCache());
        Assert.Equal(2, answers);
    }
}
