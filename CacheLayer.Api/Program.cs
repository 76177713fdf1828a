using CacheLayer.Api;
using CacheLayer.Api.Admin;
using CacheLayer.Api.Caching;
using CacheLayer.Api.Origin;
using CacheLayer.Api.Posts;
using CacheLayer.Api.Users;
using Scalar.AspNetCore;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true, redis =>
{
    // The cache is optional: start without it, and fail calls at once while it is away
    // instead of queueing them, so requests fall back to the origin without waiting.
    redis.AbortOnConnectFail = false;
    redis.BacklogPolicy = BacklogPolicy.FailFast;
    // Reconnect promptly after an outage, rather than backing off exponentially.
    redis.ReconnectRetryPolicy = new LinearRetry(500);
    // Bounds the first connection attempt, which the first requests wait for (see IResponseCacheStore.Connected).
    redis.ConnectTimeout = 1000;
    redis.ConnectRetry = 1;
});
builder.AddResponseCachingLayer();
builder.AddDemoOrigin();
builder.AddAdminApi();

builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference(); // browsable at /scalar
}
app.MapUsersApi();
app.MapPostsApi();
app.MapAdminApi();
app.MapBenchmarkCeiling();

app.Run();

public partial class Program;
