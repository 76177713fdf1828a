using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

[Collection(CacheServerCollection.Name)]
public sealed class AgeHeaderTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_hit_reports_its_age_and_remaining_ttl_on_the_api_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock) { Settings = ApiFactory.SettingsForAJumpingClock };
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();
        using var miss = await client.GetAsync("/api/users/1");

        clock.Advance(TimeSpan.FromSeconds(30));
        using var hit = await client.GetAsync("/api/users/1");

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(TimeSpan.FromSeconds(30), hit.Headers.Age);
        Assert.Equal("CacheLayer; hit; ttl=90; detail=memory", hit.CacheStatus());
    }
}
