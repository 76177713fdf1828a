namespace CacheLayer.AppHost;

/// <summary>The cache store the AppHost will run, and why it was chosen.</summary>
/// <param name="Mode">A concrete mode, never <see cref="CacheStoreMode.Auto"/>.</param>
/// <param name="Reason">One human-readable line for the start-up log.</param>
/// <param name="RedisServerPath">Full path of <c>redis-server</c> when <paramref name="Mode"/> is <see cref="CacheStoreMode.RedisServer"/> or <see cref="CacheStoreMode.RedisCluster"/>.</param>
/// <param name="RedisCliPath">Full path of <c>redis-cli</c> when <paramref name="Mode"/> is <see cref="CacheStoreMode.RedisCluster"/>.</param>
public sealed record CacheStoreSelection(CacheStoreMode Mode, string Reason, string? RedisServerPath = null, string? RedisCliPath = null)
{
    public const string ConfigurationKey = "CacheStore";

    public static CacheStoreMode Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => CacheStoreMode.Auto,
        "redis-server" => CacheStoreMode.RedisServer,
        "redis-cluster" => CacheStoreMode.RedisCluster,
        "redis-container" => CacheStoreMode.RedisContainer,
        "garnet" => CacheStoreMode.Garnet,
        _ => throw new InvalidOperationException(
            $"{ConfigurationKey}='{value}' is not one of: auto, redis-server, redis-cluster, redis-container, garnet."),
    };

    /// <summary>Resolves the configured mode, probing the machine when it is <c>auto</c>.</summary>
    public static CacheStoreSelection Resolve(string? configured, bool isPublishMode, string? containerRuntime)
    {
        var mode = Parse(configured);
        switch (mode)
        {
            case CacheStoreMode.RedisServer:
                var path = MachineTools.FindOnPath("redis-server")
                    ?? throw new InvalidOperationException($"{ConfigurationKey}=redis-server but redis-server is not on PATH.");
                return new(mode, $"{ConfigurationKey}=redis-server, using {path}", path);
            case CacheStoreMode.RedisCluster:
                var server = MachineTools.FindOnPath("redis-server");
                var cli = MachineTools.FindOnPath("redis-cli");
                if (server is null || cli is null)
                {
                    throw new InvalidOperationException(
                        $"{ConfigurationKey}=redis-cluster needs redis-server and redis-cli on PATH (apt-get install redis-server); missing: {(server is null ? "redis-server" : "redis-cli")}.");
                }
                return new(mode, $"{ConfigurationKey}=redis-cluster, three masters of {server}, created with {cli}", server, cli);
            case CacheStoreMode.RedisContainer:
            case CacheStoreMode.Garnet:
                return new(mode, $"{ConfigurationKey}={configured?.Trim()}");
        }

        // A published app has no local machine to probe; the container is what deploys.
        if (isPublishMode)
        {
            return new(CacheStoreMode.RedisContainer, "auto: publish mode uses the Redis container");
        }

        if (MachineTools.FindOnPath("redis-server") is { } redisServer)
        {
            return new(CacheStoreMode.RedisServer, $"auto: found {redisServer}", redisServer);
        }

        if (MachineTools.FirstAnsweringContainerRuntime(containerRuntime) is { } runtime)
        {
            return new(CacheStoreMode.RedisContainer, $"auto: redis-server is not on PATH; '{runtime} info' answered");
        }

        return new(CacheStoreMode.Garnet,
            "auto: redis-server is not on PATH and no container runtime (docker, podman) answered; embedding Garnet");
    }
}
