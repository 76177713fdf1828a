using System.Net;
using System.Net.Http.Headers;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Pipeline;

/// <summary>
/// The request-path defects a security review found while the layer was an endpoint filter, each as a
/// user would meet it: a HEAD that stored an empty GET entry, collapsed requests that got another client's
/// 206, header-bound parameters left out of the key, failed bindings keyed as the parameter's default,
/// credentials that did not authenticate sharing the anonymous entry, a stuck leader that kept a key from
/// being stored, and <c>no-cache</c> requests that each cost an origin call.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class RequestPathDefectTests(CacheServerFixture store) : IAsyncLifetime
{
    private RequestPathApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await RequestPathApp.StartAsync(store.Server.ConnectionString);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_head_miss_never_stores_an_empty_body_for_later_gets()
    {
        using var head = await SendAsync(HttpMethod.Head, "/files/1");
        using var get = await SendAsync(HttpMethod.Get, "/files/1");
        using var again = await SendAsync(HttpMethod.Get, "/files/1");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(RequestPathApp.File.Length, head.Content.Headers.ContentLength);
        Assert.Equal("HIT", get.XCache());
        Assert.Equal(RequestPathApp.File, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(RequestPathApp.File, await again.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_head_hit_is_answered_from_the_get_entry()
    {
        using var get = await SendAsync(HttpMethod.Get, "/files/2");
        using var head = await SendAsync(HttpMethod.Head, "/files/2");

        Assert.Equal("HIT", head.XCache());
        Assert.Equal(RequestPathApp.File.Length, head.Content.Headers.ContentLength);
        Assert.Equal(1, _app.CallsOf("files"));
    }

    [Fact]
    public async Task Requests_collapsed_into_a_range_request_get_the_full_entry_never_its_206()
    {
        var misses = _app.Service<CacheStatistics>();
        var leader = SendAsync(HttpMethod.Get, "/gated-files/1", ("Range", "bytes=0-3"));
        await Eventually.TrueAsync(() => misses.Misses == 1, timeoutSeconds: 10);
        var follower = SendAsync(HttpMethod.Get, "/gated-files/1");
        // Both counted as misses: the follower has joined the leader's origin call, which the gate holds.
        await Eventually.TrueAsync(() => misses.Misses == 2, timeoutSeconds: 10);
        _app.Gate.TrySetResult();

        using var led = await leader;
        using var followed = await follower;
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal(RequestPathApp.File, await followed.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(HttpStatusCode.PartialContent, led.StatusCode);
        Assert.Equal(1, _app.CallsOf("gated-files"));
        using var later = await SendAsync(HttpMethod.Get, "/gated-files/1");
        Assert.Equal("HIT", later.XCache());
        Assert.Equal(RequestPathApp.File, await later.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_header_bound_parameter_splits_the_key()
    {
        using var a = await SendAsync(HttpMethod.Get, "/tenant", ("X-Tenant", "a"));
        using var aAgain = await SendAsync(HttpMethod.Get, "/tenant", ("X-Tenant", "a"));
        using var b = await SendAsync(HttpMethod.Get, "/tenant", ("X-Tenant", "b"));

        Assert.Equal("HIT", aAgain.XCache());
        Assert.Equal("tenant a", await aAgain.Content.ReadAsStringAsync());
        Assert.Equal("tenant b", await b.Content.ReadAsStringAsync());
        Assert.NotEqual("HIT", b.XCache());
    }

    [Fact]
    public async Task A_route_value_that_does_not_bind_gets_the_apps_400_and_is_neither_looked_up_nor_stored()
    {
        using var zero = await SendAsync(HttpMethod.Get, "/items/0");
        using var zeroAgain = await SendAsync(HttpMethod.Get, "/items/0");
        using var bad = await SendAsync(HttpMethod.Get, "/items/abc");
        using var padded = await SendAsync(HttpMethod.Get, "/items/00");

        Assert.Equal("HIT", zeroAgain.XCache());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Null(bad.XCache());
        Assert.Equal("HIT", padded.XCache());
        Assert.Equal("item 0", await padded.Content.ReadAsStringAsync());
        Assert.Equal(1, await store.CountEntriesAsync(_app.KeyPrefix));
    }

    [Fact]
    public async Task A_query_value_that_does_not_bind_is_not_stored_and_equal_values_share_an_entry()
    {
        using var two = await SendAsync(HttpMethod.Get, "/pages?page=2");
        using var padded = await SendAsync(HttpMethod.Get, "/pages?page=02");
        using var bad = await SendAsync(HttpMethod.Get, "/pages?page=two");

        Assert.Equal("HIT", padded.XCache());
        Assert.Equal("page 2", await padded.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(1, await store.CountEntriesAsync(_app.KeyPrefix));
    }

    [Fact]
    public async Task Credentials_that_did_not_authenticate_bypass_a_per_user_route_instead_of_sharing_the_anonymous_entry()
    {
        using var expired = await SendAsync(HttpMethod.Get, "/me", ("Cookie", "session=expired"));
        using var expiredAgain = await SendAsync(HttpMethod.Get, "/me", ("Authorization", "Bearer expired-token"));
        using var anonymous = await SendAsync(HttpMethod.Get, "/me");

        Assert.Equal("BYPASS", expired.XCache());
        Assert.Equal("CacheLayer; fwd=bypass; detail=no-user-id", expiredAgain.CacheStatus());
        Assert.Equal("MISS", anonymous.XCache());
        Assert.Equal(1, await store.CountEntriesAsync(_app.KeyPrefix));
    }

    [Fact]
    public async Task After_a_leader_passes_the_hard_timeout_the_next_request_leads_and_stores()
    {
        _app.Stuck = true;
        using var timedOut = await SendAsync(HttpMethod.Get, "/stuck").WaitAsync(TimeSpan.FromSeconds(20));
        _app.Stuck = false;
        // Another connection: the first stays busy until its handler ends, as HTTP/1.1 has it.
        using var otherClient = _app.CreateClient();
        using var next = await otherClient.GetAsync("/stuck").WaitAsync(TimeSpan.FromSeconds(20));
        using var hit = await otherClient.GetAsync("/stuck");

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("fresh", await next.Content.ReadAsStringAsync());
        Assert.Equal("CacheLayer; fwd=miss; stored", next.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
    }

    [Fact]
    public async Task No_cache_requests_for_one_key_share_one_origin_call()
    {
        using var warm = await SendAsync(HttpMethod.Get, "/files/9");
        var misses = _app.Service<CacheStatistics>();
        var requests = Enumerable.Range(0, 5).Select(_ => SendAsync(HttpMethod.Get, "/gated", ("Cache-Control", "no-cache"))).ToList();
        // All five reached the cache (each is counted as a miss) while the gate holds the origin.
        await Eventually.TrueAsync(() => misses.Misses == 1 + 5, timeoutSeconds: 10);
        _app.Gate.TrySetResult();

        var responses = await Task.WhenAll(requests);
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.All(responses, response => Assert.Equal("gated", response.Content.ReadAsStringAsync().Result));
        Assert.Equal(1, _app.CallsOf("gated"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await _client.SendAsync(request);
    }
}
