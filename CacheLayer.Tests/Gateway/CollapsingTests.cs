using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Gateway;

/// <summary>Identical misses share one origin call; a response that may not be stored is not shared.</summary>
public sealed class CollapsingTests(CacheServerFixture store) : GatewayTest(store)
{
    /// <summary>
    /// An origin that holds its first answer until a second request reaches it (which collapsing prevents) or two
    /// seconds pass, then answers with <paramref name="cacheControl"/>.
    /// </summary>
    private void HoldingOrigin(string path, string cacheControl)
    {
        var calls = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Origin.On(path, async context =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call >= 2)
            {
                second.TrySetResult();
            }
            await Task.WhenAny(second.Task, Task.Delay(TimeSpan.FromSeconds(2)));
            await TestOrigin.RespondAsync(context, 200, $"answer {call}", ("Cache-Control", cacheControl));
        });
    }

    [Fact]
    public async Task Twenty_identical_misses_ask_the_origin_once_and_get_its_answer()
    {
        HoldingOrigin("/collapse/one", "max-age=60");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync("/collapse/one")));

        Assert.Equal(1, Origin.Count("/collapse/one"));
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses)
        {
            Assert.Equal("answer 1", await BodyOf(response));
        }
        Assert.Contains(responses, response => GatewayStatus(response).Contains("collapsed", StringComparison.Ordinal));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_response_that_may_not_be_stored_is_not_shared_with_the_requests_that_waited()
    {
        HoldingOrigin("/collapse/private", "private, max-age=60");

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => GetAsync("/collapse/private")));

        Assert.Equal(3, Origin.Count("/collapse/private"));
        Assert.Equal(3, (await Task.WhenAll(responses.Select(BodyOf))).Distinct().Count());
        Assert.DoesNotContain(responses, response => GatewayStatus(response).Contains("collapsed", StringComparison.Ordinal));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
