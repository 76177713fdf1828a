using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// <c>POST /api/demo/origin/outage?seconds=N</c> (admin key) makes the demo origin (here in process)
/// fail for N seconds: misses and writes get 503 problem+json, hits still answer. A fake clock ends it.
/// </summary>
public sealed class OriginOutageTests(CacheServerFixture store)
    : ApiTest(store, ApiFactory.SettingsForAJumpingClock, new FakeTimeProvider(DateTimeOffset.UtcNow))
{
    [Fact]
    public async Task During_an_outage_misses_and_writes_get_503_problems_hits_still_answer_and_it_ends_on_time()
    {
        using var client = Api.CreateClient();
        using var admin = Api.CreateAdminClient();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("MISS", warm.XCache());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/posts/?nocache=true")).StatusCode);

        using var started = await admin.PostAsync("/api/demo/origin/outage?seconds=2", null);
        var body = await started.Content.ReadFromJsonAsync<OutageBody>();
        using var hit = await client.GetAsync("/api/users/1");
        using var read = await client.GetAsync("/api/users/1?nocache=true");
        using var miss = await client.GetAsync("/api/posts/");
        using var write = await client.PutAsJsonAsync("/api/users/2", new { name = "Written in the outage" });

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromSeconds(2), body!.Until);
        Assert.Equal("HIT", hit.XCache());
        foreach (var failed in new[] { read, miss, write })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Equal("2", failed.Headers.RetryAfter?.Delta?.TotalSeconds.ToString());
            Assert.Contains("simulated outage", await failed.Content.ReadAsStringAsync());
        }
        Assert.Contains(Api.Logs.Lines, line => line.StartsWith("Warning") && line.Contains("simulated outage started"));

        Clock.Advance(TimeSpan.FromSeconds(1.9));
        using var stillDown = await client.GetAsync("/api/users/1?nocache=true");
        Clock.Advance(TimeSpan.FromSeconds(0.1));
        using var up = await client.GetAsync("/api/users/1?nocache=true");
        using var written = await client.PutAsJsonAsync("/api/users/2", new { name = "Written after the outage" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillDown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        Assert.Single(Api.Logs.Lines, line => line.StartsWith("Information") && line.Contains("simulated outage is over"));
    }

    [Fact]
    public async Task Seconds_0_ends_an_outage_early()
    {
        using var client = Api.CreateClient();
        using var admin = Api.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/posts/?nocache=true")).StatusCode);
        using var started = await admin.PostAsync("/api/demo/origin/outage?seconds=3600", null);
        using var down = await client.GetAsync("/api/posts/?nocache=true");

        using var ended = await admin.PostAsync("/api/demo/origin/outage?seconds=0", null);
        using var up = await client.GetAsync("/api/posts/?nocache=true");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Null((await ended.Content.ReadFromJsonAsync<OutageBody>())!.Until);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    public async Task Without_the_admin_key_it_is_a_401_and_no_outage(string? key)
    {
        using var client = Api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/posts/?nocache=true")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/demo/origin/outage?seconds=60");
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var refused = await client.SendAsync(request);
        using var read = await client.GetAsync("/api/posts/?nocache=true");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?seconds=")]
    [InlineData("?seconds=abc")]
    [InlineData("?seconds=-1")]
    [InlineData("?seconds=1.5")]
    [InlineData("?seconds=3601")]
    [InlineData("?seconds=99999999999")]
    public async Task Bad_seconds_are_a_400_problem_and_no_outage(string query)
    {
        using var client = Api.CreateClient();
        using var admin = Api.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/posts/?nocache=true")).StatusCode);

        using var refused = await admin.PostAsync("/api/demo/origin/outage" + query, null);
        using var read = await client.GetAsync("/api/posts/?nocache=true");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("seconds", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private sealed record OutageBody(string Message, DateTimeOffset? Until);
}
