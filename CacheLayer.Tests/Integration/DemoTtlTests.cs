using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary><c>Demo:Ttl:Users</c> and <c>Demo:Ttl:Posts</c> set how long the demo's GET routes stay cached.</summary>
[Collection(CacheServerCollection.Name)]
public sealed class DemoTtlTests(CacheServerFixture store)
{
    [Fact]
    public async Task The_ttl_settings_set_how_long_users_and_posts_stay_cached()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString)
        {
            Settings = new() { ["Demo:Ttl:Users"] = "00:07:00", ["Demo:Ttl:Posts"] = "00:05:00" },
        };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();

        using var userMiss = await client.GetAsync("/api/users/1");
        using var userHit = await client.GetAsync("/api/users/1");
        using var postsMiss = await client.GetAsync("/api/posts/");
        using var postsHit = await client.GetAsync("/api/posts/");

        Assert.Equal("MISS", userMiss.XCache());
        Assert.Matches("^CacheLayer; hit; ttl=(419|420); ", userHit.CacheStatus());
        Assert.Equal("MISS", postsMiss.XCache());
        Assert.Matches("^CacheLayer; hit; ttl=(299|300); ", postsHit.CacheStatus());
        var userTtl = await EntryTtl.FreshAsync(store.Redis, api.RedisKey("GET:/api/users/1"));
        Assert.InRange(userTtl!.Value, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(420));
    }

    [Theory]
    [InlineData("Demo:Ttl:Users", "00:00:00")]
    [InlineData("Demo:Ttl:Users", "-00:00:05")]
    [InlineData("Demo:Ttl:Posts", "2.00:00:00")]
    [InlineData("Demo:Ttl:Posts", "ninety")]
    public async Task A_ttl_out_of_range_or_unreadable_stops_the_start_naming_the_setting(string setting, string value)
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = new() { [setting] = value } };

        var error = Record.Exception(() => api.Server);

        Assert.NotNull(error);
        var messages = string.Join(" | ", Chain(error));
        Assert.Contains(setting, messages);
    }

    private static IEnumerable<string> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
