using System.Net;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Cluster;

/// <summary>Two replicas on the 3-master cluster: the statistics they publish live in one slot, read without cross-slot commands.</summary>
public class ClusterDeploymentStatisticsTests(RedisClusterFixture cluster) : ClusterApiTest(cluster)
{
    [Fact]
    public async Task Each_replica_reports_the_sum_of_both()
    {
        await using var other = Cluster.CreateApi();
        await other.WaitUntilStoreConnectedAsync();
        using var otherClient = other.CreateClient(new() { HandleCookies = false });
        foreach (var path in new[] { "/api/posts/", "/api/posts/", "/api/users/1" })
        {
            await GetAsync(path);
        }
        foreach (var path in new[] { "/api/users/1", "/api/users/2", "/api/posts/?page=2" })
        {
            using var response = await otherClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var own = await Task.WhenAll(new[] { Api, other }.Select(replica => CacheStatisticsView.ReadAsync(replica, "?scope=process")));
        var sum = CacheStatisticsView.Sum(own);

        foreach (var replica in new[] { Api, other })
        {
            var deployment = await CacheStatisticsView.PollAsync(replica, view => view.Matches(sum) && view.Replicas == 2, TimeSpan.FromSeconds(20));

            Assert.Equal((6L, 4L), (deployment.Hits + deployment.Misses, deployment.Misses));
            Assert.Equal(2, deployment.TopKeys["GET:/api/users/1"]);
            Assert.Equal(4, deployment.TotalCachedKeys);
        }
    }
}
