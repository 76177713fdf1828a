using CacheLayer.Api;
using CacheLayer.Api.Demo;
using CacheLayer.Api.Greeting;
using CacheLayer.Api.Origin;
using CacheLayer.Api.Posts;
using CacheLayer.Api.Users;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCacheLayer("cache");
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddCacheLayerInstrumentation())
    .WithTracing(tracing => tracing.AddCacheLayerInstrumentation());
builder.AddDemoOrigin();
builder.AddBenchmarkCeiling();   // bench/run.sh only: controllers for the cached bench action

builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();
builder.Services.AddDemoLocalization();
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

var app = builder.Build();

app.UseCacheLayer();   // after routing and authentication, before the middleware whose work the cached responses hold
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLocalization();

app.MapDefaultEndpoints();
if (app.Environment.IsDevelopment())
{
    app.MapOpenApi();
    app.MapScalarApiReference(); // browsable at /scalar
}
app.MapUsersApi();
app.MapPostsApi();
app.MapGreetingApi();
app.MapCacheLayerAdmin().MapDemoOriginOutage(); // the demo's outage switch takes the same admin key
app.MapBenchmarkCeiling();

app.Run();

public partial class Program;
