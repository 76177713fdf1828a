using System.Net;
using System.Text;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Tests.Gateway;

/// <summary>What the gateway passes through as it comes: bodies over its size limit, and streams.</summary>
public sealed class PassThroughTests(CacheServerFixture store) : GatewayTest(store)
{
    private const int Limit = 64 * 1024;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["CacheLayer:MaxBodySizeBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task A_body_over_the_size_limit_reaches_the_client_whole_and_is_not_stored()
    {
        var large = string.Concat(Enumerable.Range(0, 4 * Limit / 16).Select(i => $"{i,15}\n"));
        Origin.On("/pass/large", 200, large, ("Cache-Control", "max-age=60"), ("Content-Type", "text/plain"));
        Origin.On("/pass/small", 200, "small", ("Cache-Control", "max-age=60"));

        using var first = await GetAsync("/pass/large");
        using var second = await GetAsync("/pass/large");

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(large, await BodyOf(response));
            Assert.NotEqual("HIT", response.XCache());
        }
        Assert.Equal(2, Origin.Count("/pass/large"));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_says_why_it_was_not_stored()
    {
        var large = new string('x', 2 * Limit);
        Origin.On("/pass/large-status", 200, large, ("Cache-Control", "max-age=60"));

        using var response = await GetAsync("/pass/large-status");

        Assert.Equal("MISS", response.XCache());
        Assert.Equal("CacheLayer; fwd=miss; fwd-status=200; detail=too-large", GatewayStatus(response));
        Assert.Equal(large.Length, (await BodyOf(response)).Length);
    }

    /// <summary>Server-sent events: the first event reaches the client while the origin still holds the rest.</summary>
    [Theory]
    [InlineData("no-cache")]
    [InlineData(null)]
    public async Task A_stream_reaches_the_client_as_the_origin_flushes_it(string? cacheControl)
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        Origin.On("/pass/events", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            if (cacheControl is not null)
            {
                context.Response.Headers.CacheControl = cacheControl;
            }
            await context.Response.WriteAsync("data: first\n\n");
            await context.Response.Body.FlushAsync();
            await rest.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await context.Response.WriteAsync("data: second\n\n");
            finished = true;
        });

        using var response = await Client.GetAsync("/pass/events", HttpCompletionOption.ResponseHeadersRead);
        using var stream = await response.Content.ReadAsStreamAsync();
        var received = new StringBuilder();
        var buffer = new byte[1024];
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!received.ToString().Contains("data: first\n\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Assert.True(read > 0, "The stream ended before its first event.");
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        Assert.False(finished);
        Assert.False(rest.Task.IsCompleted);
        rest.SetResult();
        var remainder = await new StreamReader(stream).ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("data: first\n\ndata: second\n\n", received + remainder);
    }
}
