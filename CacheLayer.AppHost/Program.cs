using CacheLayer.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddCacheStore("cache");

var adminApiKey = builder.AddParameter(
    "admin-api-key",
    new GenerateParameterDefault { MinLength = 32, Special = false },
    secret: true,
    persist: true);

// Hashed into per-user cache keys, so a key never tells, or lets anyone guess, whose entry it is.
var userKeySalt = builder.AddParameter(
    "user-key-salt",
    new GenerateParameterDefault { MinLength = 32, Special = false },
    secret: true,
    persist: true);

// The replicas share the store and the origin, behind one endpoint (http://localhost:5080) that balances over them.
var api = builder.AddProject<Projects.CacheLayer_Api>("api")
    .WithReplicas(ApiReplicaCount.Parse(builder.Configuration[ApiReplicaCount.ConfigurationKey]))
    .WithOriginDatabase()
    .WithReference(cache)
    .WaitFor(cache)
    .WithEnvironment("CacheLayer__AdminApiKey", adminApiKey)
    .WithEnvironment("CacheLayer__UserKeySalt", userKeySalt)
    .WithHttpHealthCheck("/health")
    .WithApiUrls()                    // dashboard links: Scalar, /metrics, /health
    .WithCacheCommands(adminApiKey);  // dashboard: flush, evict a tag or a prefix, top keys, origin outage

// Settings given to the AppHost reach the API: the demo's origin latency and TTLs, the store timeout.
foreach (var setting in new[] { "Demo:Origin:LatencyMs", "Demo:Ttl:Users", "Demo:Ttl:Posts", "CacheLayer:OperationTimeout" })
{
    if (builder.Configuration[setting] is { Length: > 0 } value)
    {
        api.WithEnvironment(setting.Replace(":", "__"), value);
    }
}

// With Gateway=on: the caching reverse proxy, in front of the API or of GatewayOrigin.
var gateway = builder.AddGatewayFor(api, cache, adminApiKey);

// When the machine has them: Prometheus scraping every replica (and the gateway), and Grafana with the CacheLayer dashboard.
var prometheus = builder.AddPrometheusFor(api, gateway);
builder.AddGrafanaFor(prometheus);

builder.Build().Run();
