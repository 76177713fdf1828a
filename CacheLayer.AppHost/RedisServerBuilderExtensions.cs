namespace CacheLayer.AppHost;

public static class RedisServerBuilderExtensions
{
    /// <summary>
    /// Runs <paramref name="redisServerPath"/> as an executable resource: in memory only
    /// (no RDB snapshots, no AOF), bound to loopback, on a port Aspire allocates, evicting the least
    /// recently used keys past <paramref name="memory"/>.
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, string redisServerPath, CacheStoreMemoryLimit memory)
    {
        var resource = new RedisServerResource(name, redisServerPath, builder.AppHostDirectory);

        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(
                "--port", resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no")
            .WithMemoryLimit(memory)
            .ExcludeFromManifest();
    }

    /// <summary>Past <paramref name="memory"/>, redis-server evicts the least recently used keys, whatever their TTL.</summary>
    internal static IResourceBuilder<RedisServerResource> WithMemoryLimit(
        this IResourceBuilder<RedisServerResource> builder, CacheStoreMemoryLimit memory) =>
        builder.WithArgs("--maxmemory", memory.ToString(), "--maxmemory-policy", "allkeys-lru");
}
