using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

[Collection(CacheServerCollection.Name)]
public sealed class StampedeTests(CacheServerFixture store) : StampedeScenario
{
    protected override async Task<ApiFactory> StartApiAsync(int originLatencyMs)
    {
        var api = new ApiFactory(store.Server.ConnectionString) { OriginLatencyMs = originLatencyMs };
        await api.WaitUntilStoreConnectedAsync();
        return api;
    }
}
