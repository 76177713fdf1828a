// bench/run.sh's comparison point: GET /api/posts/ answers the same JSON as CacheLayer.Api,
// cached by ASP.NET Core Output Caching in the same Redis (Microsoft.AspNetCore.OutputCaching.StackExchangeRedis).
// The host is set up like the API's: the same service defaults (OpenTelemetry metrics with the
// Prometheus exporter, tracing), the same Aspire Redis client (so Redis commands are traced as the
// API's are), the same error-handling middleware, and a 20 ms origin on a miss.
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true, redis =>
{
    // As CacheLayer.Api configures its client.
    redis.AbortOnConnectFail = false;
    redis.BacklogPolicy = BacklogPolicy.FailFast;
    redis.ReconnectRetryPolicy = new LinearRetry(500);
});

builder.Services.AddStackExchangeRedisOutputCache(options =>
    options.Configuration = builder.Configuration.GetConnectionString("cache"));
// Hand the store the Aspire client above (instrumented for tracing like the API's) rather than
// letting it open its own connection from the string; the string is the fallback if this goes away.
builder.Services.AddOptions<RedisOutputCacheOptions>()
    .Configure<IConnectionMultiplexer>((options, redis) =>
        options.ConnectionMultiplexerFactory = () => Task.FromResult(redis));
builder.Services.AddOutputCache();

builder.Services.AddProblemDetails();

var latency = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Demo:Origin:LatencyMs", 20));

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseOutputCache();

app.MapDefaultEndpoints();
app.MapGet("/api/posts/", async (CancellationToken cancellationToken) =>
    {
        await Task.Delay(latency, cancellationToken); // the origin's latency, paid on a miss only
        return TypedResults.Ok(new PostsResponse(["Cached post A", "Cached post B"]));
    })
    // Vary by page so that ?page=1..1000 are 1,000 entries, as they are 1,000 keys in CacheLayer.
    .CacheOutput(policy => policy.Expire(TimeSpan.FromSeconds(90)).SetVaryByQuery("page"));

app.Run();

/// <summary><c>{"posts":["Cached post A","Cached post B"]}</c>, as CacheLayer.Api's PostsResponse.</summary>
internal sealed record PostsResponse(IReadOnlyList<string> Posts);
