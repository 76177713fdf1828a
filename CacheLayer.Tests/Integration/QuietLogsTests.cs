using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// The Redis client's connection log (about 40 lines at Information per connect) stays out of the API's
/// log unless it is Warning or worse, or the host asks for it in <c>Logging:LogLevel</c>.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class QuietLogsTests(CacheServerFixture store)
{
    [Fact]
    public async Task The_redis_clients_connection_chatter_is_not_logged_by_default()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString);
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/users/1")).StatusCode);

        Assert.DoesNotContain(api.Logs.Lines, line => line.StartsWith("Information StackExchange.Redis") || line.StartsWith("Debug StackExchange.Redis"));
    }

    [Fact]
    public async Task A_host_that_asks_for_it_gets_it()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = new() { ["Logging:LogLevel:StackExchange.Redis"] = "Information" } };
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/users/1")).StatusCode);

        Assert.Contains(api.Logs.Lines, line => line.StartsWith("Information StackExchange.Redis"));
    }
}
