// bench/run.sh's comparison point: GET /api/posts/ answers the same JSON as CacheLayer.Api, cached by
// ASP.NET Core Output Caching in the same Redis (Microsoft.AspNetCore.OutputCaching.StackExchangeRedis).
// Redis is configured as the Output Caching docs show an Output Caching user doing it: the connection
// string handed to AddStackExchangeRedisOutputCache, and the store opens its own connection from it
// with StackExchange.Redis's default settings. Everything else is as in the API: the same service
// defaults (OpenTelemetry metrics with the Prometheus exporter, tracing), the same error-handling
// middleware, the same JSON, a 20 ms origin on a miss (Demo:Origin:LatencyMs), entries kept 90 s.
//
// Where its Redis client differs from CacheLayer's (the keyed Aspire client AddCacheLayer registers),
// and what that means for the comparison:
// - It is not the Aspire client. Neither client traces its Redis commands: AddCacheLayer turns the
//   Aspire client's tracing (StackExchange.Redis profiling of each command) off unless the host sets
//   Aspire:StackExchange:Redis:DisableTracing itself, and run.sh does not.
// - Default client settings: while Redis is away, commands wait in the client's backlog (up to the
//   5 s async timeout) instead of failing at once (CacheLayer: BacklogPolicy.FailFast, and a 250 ms
//   CacheLayer:OperationTimeout per call behind a circuit breaker); reconnects back off exponentially
//   (CacheLayer: every 500 ms); the store connects on its first request, which waits for it, and a
//   failed first connect (abortConnect defaults to true) is retried by the next request. Output
//   Caching logs a store error and serves a miss, so in an outage its requests get slow rather than
//   fail. bench/run.sh keeps Redis up throughout, so none of this shows in its table; outages are
//   bench/fault-run.sh's, which runs the API only.
// - The same StackExchange.Redis version as the API (pinned in bench/Directory.Packages.props;
//   Output Caching alone would bring 2.7), so client versions are not a difference.
// - Otherwise alike on the hot path: one multiplexer, one GET per Redis hit, shared by concurrent
//   lookups of the same key (run.sh's redis/req column shows it for both).

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

builder.Services.AddStackExchangeRedisOutputCache(options =>
    options.Configuration = builder.Configuration.GetConnectionString("cache"));
builder.Services.AddOutputCache();

builder.Services.AddProblemDetails();

var latency = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Demo:Origin:LatencyMs", 20));

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseOutputCache();

app.MapDefaultEndpoints();
app.MapGet("/api/posts/", async (CancellationToken cancellationToken, int page = 1) =>
    {
        await Task.Delay(latency, cancellationToken); // the origin's latency, paid on a miss only
        // As CacheLayer.Api's posts list pages: page 1 is the list, a later page the empty list.
        return TypedResults.Ok(new PostsResponse(page == 1 ? ["Cached post A", "Cached post B"] : []));
    })
    // Vary by page so that ?page=1..1000 are 1,000 entries, as they are 1,000 keys in CacheLayer.
    .CacheOutput(policy => policy.Expire(TimeSpan.FromSeconds(90)).SetVaryByQuery("page"));

app.Run();

/// <summary><c>{"posts":["Cached post A","Cached post B"]}</c>, as CacheLayer.Api's PostsResponse.</summary>
internal sealed record PostsResponse(IReadOnlyList<string> Posts);
