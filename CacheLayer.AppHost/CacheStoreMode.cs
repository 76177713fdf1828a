namespace CacheLayer.AppHost;

/// <summary>Which Redis-compatible server backs the <c>cache</c> resource (configuration key <c>CacheStore</c>).</summary>
public enum CacheStoreMode
{
    /// <summary>The first available of <see cref="RedisServer"/>, <see cref="RedisContainer"/>, <see cref="Garnet"/>.</summary>
    Auto,

    /// <summary>The <c>redis-server</c> executable on PATH.</summary>
    RedisServer,

    /// <summary>A Redis Cluster of three masters: <c>redis-server</c> and <c>redis-cli</c> on PATH.</summary>
    RedisCluster,

    /// <summary>The Redis container image; needs Docker or Podman.</summary>
    RedisContainer,

    /// <summary>Microsoft Garnet embedded in the AppHost process.</summary>
    Garnet,
}
