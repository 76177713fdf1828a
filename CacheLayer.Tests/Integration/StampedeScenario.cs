using System.Net;
using CacheLayer.Api.Origin;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>Concurrent misses on one key ask the origin once. Run on one node (<see cref="StampedeTests"/>) and on a cluster.</summary>
public abstract class StampedeScenario
{
    /// <summary>The API on the store under test, connected to it.</summary>
    protected abstract Task<ApiFactory> StartApiAsync(int originLatencyMs);

    [Fact]
    public async Task A_hundred_concurrent_misses_on_a_cold_key_ask_the_origin_once()
    {
        await using var api = await StartApiAsync(originLatencyMs: 500);
        using var client = api.CreateClient();
        var origin = api.Service<OriginLatency>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync("/api/posts/")));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, origin.Calls);
        var statuses = responses.Select(response => response.CacheStatus()).ToList();
        Assert.Single(statuses, "CacheLayer; fwd=miss; stored");
        Assert.Equal(99, statuses.Count(status => status == "CacheLayer; fwd=miss; collapsed"));
        var bodies = await Task.WhenAll(responses.Select(response => response.Content.ReadAsStringAsync()));
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        using var next = await client.GetAsync("/api/posts/");
        Assert.Equal("HIT", next.XCache());
        Assert.Equal(bodies[0], await next.Content.ReadAsStringAsync());
        Assert.Equal(1, origin.Calls);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
