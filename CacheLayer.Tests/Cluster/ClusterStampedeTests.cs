using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.Integration;

namespace CacheLayer.Tests.Cluster;

[Collection(RedisClusterCollection.Name)]
public sealed class ClusterStampedeTests(RedisClusterFixture cluster) : StampedeScenario
{
    protected override async Task<ApiFactory> StartApiAsync(int originLatencyMs)
    {
        await cluster.ResetAsync();
        var api = cluster.CreateApi(originLatencyMs);
        await api.WaitUntilStoreConnectedAsync();
        return api;
    }
}
