using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// A refresh behind a grace copy is a request of its own through the app's pipeline, so middleware shapes it
/// as it shapes a client's: the demo's greeting takes its language from the request-localization middleware.
/// Expiry is made by hand, deterministically: the entry's remaining time in Redis is cut to its grace (layout v3:
/// its fresh part is over) and the fake clock moved past its TTL, which is what the layer sees when its TTL runs out.
/// </summary>
public sealed class StaleRefreshPipelineTests(CacheServerFixture store)
    : ApiTest(store, ApiFactory.SettingsForAJumpingClock, new FakeTimeProvider(DateTimeOffset.UtcNow))
{
    private const string FrenchKey = "GET:/api/greeting|accept-language=fr";

    [Fact]
    public async Task A_refreshed_french_greeting_is_still_french()
    {
        using var client = Api.CreateClient();
        using var warm = await GreetAsync(client);
        Assert.Equal("MISS", warm.XCache());
        Assert.Contains("Bonjour", await warm.Content.ReadAsStringAsync());

        await Stale.StaleKit.ExpireAsync(Redis, Api.RedisKey(FrenchKey));
        Clock.Advance(TimeSpan.FromSeconds(301));
        using var stale = await GreetAsync(client);
        Assert.Equal("STALE", stale.XCache());
        Assert.Contains("detail=stale-while-revalidate", stale.CacheStatus());
        await Stale.StaleKit.UntilExistsAsync(Redis, Api.RedisKey(FrenchKey));

        using var refreshed = await GreetAsync(client);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal("HIT", refreshed.XCache());
        Assert.Contains("Bonjour", await refreshed.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> GreetAsync(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/greeting");
        request.Headers.AcceptLanguage.ParseAdd("fr-FR");
        return client.SendAsync(request);
    }
}
