using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Cluster;

/// <summary>A fresh API with no KeyPrefix per test, on the shared 3-master cluster, emptied first.</summary>
[Collection(RedisClusterCollection.Name)]
public abstract class ClusterApiTest(RedisClusterFixture cluster) : IAsyncLifetime
{
    protected RedisClusterFixture Cluster { get; } = cluster;

    protected ApiFactory Api { get; } = cluster.CreateApi();

    // No cookie jar: a cookie the API sets must not make later requests private.
    protected HttpClient Client => _client ??= Api.CreateClient(new() { HandleCookies = false });

    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        await Cluster.ResetAsync();
        await Api.WaitUntilStoreConnectedAsync();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await Api.DisposeAsync();
    }

    /// <summary>GETs <paramref name="path"/> and returns its Cache-Status and body.</summary>
    protected async Task<(string? CacheStatus, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (response.CacheStatus(), await response.Content.ReadAsStringAsync());
    }

    protected const string Stored = "CacheLayer; fwd=miss; stored";

    protected static bool IsHit(string? cacheStatus) => cacheStatus?.StartsWith("CacheLayer; hit", StringComparison.Ordinal) == true;
}
