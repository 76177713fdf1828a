using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.Integration;
using Xunit.Abstractions;

namespace CacheLayer.Tests.Cluster;

[Collection(RedisClusterCollection.Name)]
public sealed class ClusterReadAfterWriteTests(RedisClusterFixture cluster, ITestOutputHelper output) : ReadAfterWriteScenario(output)
{
    protected override async Task<ApiFactory> StartApiAsync(int originLatencyMs)
    {
        await cluster.ResetAsync();
        var api = cluster.CreateApi(originLatencyMs);
        await api.WaitUntilStoreConnectedAsync();
        return api;
    }
}
