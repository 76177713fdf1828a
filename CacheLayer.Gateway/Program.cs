using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// A caching reverse proxy: YARP forwards, CacheLayer caches what the origin's headers allow (RFC 9111).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCacheLayer("cache");
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddCacheLayerInstrumentation())
    .WithTracing(tracing => tracing.AddCacheLayerInstrumentation());
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();

app.UseCacheLayer();
app.MapDefaultEndpoints();
app.MapCacheLayerAdmin();
app.MapReverseProxy().CacheFromOrigin();

app.Run();
