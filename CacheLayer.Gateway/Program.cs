using CacheLayer.Gateway;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// A caching reverse proxy: YARP forwards, CacheLayer caches what the origin's headers allow (RFC 9111).
// Its settings travel with it: the routes in appsettings.json load whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddCacheLayer("cache");
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddCacheLayerInstrumentation())
    .WithTracing(tracing => tracing.AddCacheLayerInstrumentation());
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddTransforms(transforms => transforms.ResponseTransforms.Add(new ConnectionListedHeaders()));

var app = builder.Build();

app.UseCacheLayer();
app.MapDefaultEndpoints();
app.MapCacheLayerAdmin();
app.MapReverseProxy().CacheFromOrigin();

app.Run();

/// <summary>Public for the gateway tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
