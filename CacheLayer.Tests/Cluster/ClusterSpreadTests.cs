using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Cluster;

/// <summary>Different paths spread over the cluster: one cache is not one shard.</summary>
public class ClusterSpreadTests(RedisClusterFixture cluster) : ClusterApiTest(cluster)
{
    [Fact]
    public async Task Entries_of_different_paths_sit_on_more_than_one_master()
    {
        string[] paths =
        [
            "/api/users/1", "/api/users/2", "/api/posts/", "/api/greeting",
            .. Enumerable.Range(1, 5).Select(page => $"/api/posts/?page={page}&pageSize=1"),
        ];
        foreach (var path in paths)
        {
            Assert.Equal(Stored, (await GetAsync(path)).CacheStatus);
        }

        var perMaster = (await Cluster.KeysPerMasterAsync()).Select(keys => keys.Entries.Count).ToList();

        Assert.Equal(paths.Length, perMaster.Sum());
        Assert.True(perMaster.Count(count => count > 0) > 1, $"Entries per master: {string.Join(", ", perMaster)}");
    }
}
