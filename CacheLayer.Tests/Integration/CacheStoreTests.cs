using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>Which store the integration tests ran against, so a run's results say what they prove.</summary>
[Collection(CacheServerCollection.Name)]
public sealed class CacheStoreTests(CacheServerFixture store)
{
    [Fact]
    public async Task The_fixture_names_the_store_it_started_and_under_ci_it_is_redis_server()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        var expected = ci || RedisServerProcess.FindExecutable() is not null ? "redis-server" : "garnet";

        Assert.Equal(expected, store.Server.Kind);
        Assert.Equal(store.Description, await store.Server.DescribeAsync());
        Assert.Matches($"^{expected} \\d+\\.\\d+\\.\\d+", store.Description);
        if (ci)
        {
            // What the store says of itself, not only which executable was launched.
            var info = (await store.RedisServer.InfoAsync("server")).SelectMany(section => section).ToList();
            Assert.Contains(info, pair => pair.Key == "redis_version");
            Assert.DoesNotContain(info, pair => pair.Key == "garnet_version");
        }
    }
}
