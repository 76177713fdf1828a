using CacheLayer.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddCacheStore("cache");

var adminApiKey = builder.AddParameter(
    "admin-api-key",
    new GenerateParameterDefault { MinLength = 32, Special = false },
    secret: true,
    persist: true);

var api = builder.AddProject<Projects.CacheLayer_Api>("api")
    .WithReference(cache)
    .WaitFor(cache)
    .WithEnvironment("CacheLayer__AdminApiKey", adminApiKey)
    .WithHttpHealthCheck("/health");

if (builder.Configuration["CacheLayer:Origin:LatencyMs"] is { Length: > 0 } originLatencyMs)
{
    api.WithEnvironment("CacheLayer__Origin__LatencyMs", originLatencyMs);
}

builder.Build().Run();
