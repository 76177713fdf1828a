using System.Net;
using System.Text;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// A broken answer from the origin (reset mid-body, a body shorter than its <c>Content-Length</c>, a broken chunked
/// body) is never stored, and never reaches the client as if it were whole: the next request goes to the origin.
/// </summary>
public sealed class BadUpstreamTests(CacheServerFixture store) : GatewayTest(store)
{
    private const string Whole = "the whole body, as the origin meant it";

    private static readonly (string, string)[] Cacheable = [("Cache-Control", "max-age=600"), ("ETag", "\"whole\"")];

    public static TheoryData<string> Breakages => ["reset-mid-body", "short-then-close", "chunked-bad-size", "chunked-no-last-chunk"];

    /// <summary>The first answer broken as <paramref name="breakage"/> says, every later one whole.</summary>
    private void BreakFirstAnswer(string path, string breakage)
    {
        var answers = 0;
        Origin.On(path, async context =>
        {
            if (Interlocked.Increment(ref answers) > 1)
            {
                await TestOrigin.RespondAsync(context, 200, Whole, Cacheable);
                return;
            }
            var part = Whole[..10];
            switch (breakage)
            {
                case "reset-mid-body":
                    context.Response.Headers.CacheControl = "max-age=600";
                    context.Response.Headers.ETag = "\"whole\"";
                    context.Response.ContentLength = Whole.Length;
                    await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(part));
                    await context.Response.Body.FlushAsync();
                    context.Abort();
                    break;
                case "short-then-close":
                    await TestOrigin.WriteRawAndCloseAsync(context,
                        TestOrigin.RawHead(200, [.. Cacheable, ("Content-Length", Whole.Length.ToString())]) + part);
                    break;
                case "chunked-bad-size":
                    await TestOrigin.WriteRawAndCloseAsync(context,
                        TestOrigin.RawHead(200, [.. Cacheable, ("Transfer-Encoding", "chunked")]) + $"{part.Length:x}\r\n{part}\r\nzz\r\n{part}\r\n0\r\n\r\n");
                    break;
                case "chunked-no-last-chunk":
                    await TestOrigin.WriteRawAndCloseAsync(context,
                        TestOrigin.RawHead(200, [.. Cacheable, ("Transfer-Encoding", "chunked")]) + $"{part.Length:x}\r\n{part}\r\n");
                    break;
            }
        });
    }

    /// <summary>What the client got: the body when the answer arrived whole as a 200, else null.</summary>
    private async Task<string?> WholeBodyOrNullAsync(string path)
    {
        try
        {
            using var response = await Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? body : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return null;
        }
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task A_broken_answer_is_never_stored_nor_passed_off_as_whole(string breakage)
    {
        var path = "/bad/" + breakage;
        BreakFirstAnswer(path, breakage);

        var broken = await WholeBodyOrNullAsync(path);
        using var next = await GetAsync(path);
        using var hit = await GetAsync(path);

        // Either the client saw the failure, or (never) a 200 whose body is what the origin meant.
        Assert.True(broken is null || broken == Whole, $"The client got a truncated answer as if whole: \"{broken}\"");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("MISS", next.XCache());
        Assert.Equal(Whole, await BodyOf(next));
        Assert.Equal(2, Origin.Count(path));
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(Whole, await BodyOf(hit));
    }

    /// <summary>A stale entry's revalidation that breaks off: the stored body is not replaced by the broken one.</summary>
    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task A_broken_answer_to_a_revalidation_replaces_nothing(string breakage)
    {
        var path = "/bad/revalidated-" + breakage;
        var answers = 0;
        Origin.On(path, async context =>
        {
            var answer = Interlocked.Increment(ref answers);
            if (answer == 2)
            {
                // The stored response's validator no longer matches: a new full answer, broken.
                var part = "a new body, broken"[..8];
                switch (breakage)
                {
                    case "reset-mid-body":
                        context.Response.Headers.CacheControl = "max-age=600";
                        context.Response.ContentLength = 100;
                        await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(part));
                        await context.Response.Body.FlushAsync();
                        context.Abort();
                        return;
                    case "short-then-close":
                        await TestOrigin.WriteRawAndCloseAsync(context, TestOrigin.RawHead(200, ("Cache-Control", "max-age=600"), ("Content-Length", "100")) + part);
                        return;
                    case "chunked-bad-size":
                        await TestOrigin.WriteRawAndCloseAsync(context,
                            TestOrigin.RawHead(200, ("Cache-Control", "max-age=600"), ("Transfer-Encoding", "chunked")) + $"8\r\n{part}\r\nzz\r\n");
                        return;
                    default:
                        await TestOrigin.WriteRawAndCloseAsync(context,
                            TestOrigin.RawHead(200, ("Cache-Control", "max-age=600"), ("Transfer-Encoding", "chunked")) + $"8\r\n{part}\r\n");
                        return;
                }
            }
            await TestOrigin.RespondAsync(context, 200, Whole, ("Cache-Control", "max-age=60"), ("ETag", "\"whole\""));
        });

        using var warm = await GetAsync(path);
        Advance(61);
        var broken = await WholeBodyOrNullAsync(path);
        using var next = await GetAsync(path);

        Assert.True(broken is null || broken == Whole, $"The client got a truncated answer as if whole: \"{broken}\"");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(Whole, await BodyOf(next));
        Assert.Equal(3, Origin.Count(path));
    }
}
