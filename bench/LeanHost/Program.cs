// bench/run.sh's lean host: the library and nothing else around it. WebApplication.CreateSlimBuilder,
// no logging providers, no service defaults, no OpenTelemetry, no exception handler, localization or
// health-check endpoints: AddCacheLayer / UseCacheLayer and the endpoints below. Its hits against
// bench/BareKestrel (the same bytes from app.Run) say what routing plus the layer cost, where the demo
// API's say what its whole host costs as well.
//
// Answers as bench/BareKestrel and the API do, so bench/pages.lua and the rest run against it unchanged:
//   GET /api/posts/[?page=n]      -> {"posts":["Cached post A","Cached post B"]} | {"posts":[]}   cached 5 min
//   GET /bench/controller/{id}    -> {"id":<id>,"name":"Cached item A, controller"}            [CacheResponse(300)], MVC
//   GET /alive                    -> 200, empty, not cached (run.sh's readiness probe)
// Content type application/json; charset=utf-8. Redis from ConnectionStrings:cache
// (ConnectionStrings__cache); the CacheLayer section as for any host (run.sh sets a per-run KeyPrefix).
using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Mvc;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.AddCacheLayer("cache");
builder.Services.AddControllers();

var app = builder.Build();
app.UseCacheLayer();

app.MapGet("/api/posts/", (int page = 1) => TypedResults.Bytes(page == 1 ? Lean.Posts : Lean.EmptyPage, Lean.Json))
    .CacheResponse(TimeSpan.FromMinutes(5));
app.MapGet("/alive", () => TypedResults.Ok());
app.MapControllers();

app.Run();

internal static class Lean
{
    public static readonly byte[] Posts = "{\"posts\":[\"Cached post A\",\"Cached post B\"]}"u8.ToArray();
    public static readonly byte[] EmptyPage = "{\"posts\":[]}"u8.ToArray();
    public const string Json = "application/json; charset=utf-8";
}

/// <summary>The API's bench controller (CacheLayer.Api/Bench/BenchItemsController.cs): item 1 is 43 bytes, like the posts list.</summary>
[ApiController]
public sealed class BenchItemsController : ControllerBase
{
    [HttpGet("/bench/controller/{id:int}"), CacheResponse(300)]
    public BenchItem Get(int id) => new(id, "Cached item A, controller");
}

public sealed record BenchItem(int Id, string Name);
