using CacheLayer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CacheLayer.Tests.Integration;

[Collection(CacheServerCollection.Name)]
public sealed class ReadAfterWriteTests(CacheServerFixture store, ITestOutputHelper output) : ReadAfterWriteScenario(output)
{
    protected override async Task<ApiFactory> StartApiAsync(int originLatencyMs)
    {
        var api = new ApiFactory(store.Server.ConnectionString) { OriginLatencyMs = originLatencyMs };
        await api.WaitUntilStoreConnectedAsync();
        return api;
    }
}
