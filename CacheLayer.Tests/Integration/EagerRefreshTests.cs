using System.Net.Http.Json;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// <c>CacheLayer:EagerRefreshThreshold</c>: a hit past that fraction of its entry's TTL refreshes the entry in
/// the background, so a key read steadily never expires; below it, nothing is refreshed.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class EagerRefreshTests(CacheServerFixture store)
{
    private const string Renamed = "Renamed behind the cache";

    [Theory]
    [InlineData("0.5", true)]
    [InlineData(null, false)]
    public async Task A_hit_past_the_threshold_refreshes_the_entry_before_it_expires(string? threshold, bool refreshes)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = ApiFactory.SettingsForAJumpingClock;
        if (threshold is not null)
        {
            settings["CacheLayer:EagerRefreshThreshold"] = threshold;
        }
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock) { Settings = settings };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();
        using var warm = await client.GetAsync("/api/users/1");
        Assert.Equal("MISS", warm.XCache());
        Assert.True(await api.Service<IUserStore>().TryRenameAsync(1, Renamed, CancellationToken.None)); // behind the cache
        clock.Advance(TimeSpan.FromSeconds(59)); // under half of the 120 s TTL
        Assert.Equal("Cached User A", await NameAsync(client));
        var calls = api.Service<CacheLayer.Api.Origin.OriginLatency>().Calls;

        clock.Advance(TimeSpan.FromSeconds(2)); // past half
        using var past = await client.GetAsync("/api/users/1");
        Assert.Equal("HIT", past.XCache());
        Assert.Equal("Cached User A", (await past.Content.ReadFromJsonAsync<UserBody>())!.User.Name);

        if (refreshes)
        {
            await Eventually.TrueAsync(async _ => await NameAsync(client) == Renamed, TimeSpan.FromSeconds(15));
            using var hit = await client.GetAsync("/api/users/1");
            Assert.Equal("HIT", hit.XCache());
            Assert.Equal(calls + 1, api.Service<CacheLayer.Api.Origin.OriginLatency>().Calls);
        }
        else
        {
            Assert.Equal("Cached User A", await NameAsync(client));
            Assert.Equal(calls, api.Service<CacheLayer.Api.Origin.OriginLatency>().Calls);
        }
    }

    private static async Task<string> NameAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<UserBody>("/api/users/1"))!.User.Name;

    private sealed record UserBody(UserName User);

    private sealed record UserName(int Id, string Name);
}
