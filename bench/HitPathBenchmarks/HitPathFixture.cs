using System.Globalization;
using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// The caching layer as a host wires it (<c>AddCacheLayer("cache")</c>, <c>app.UseCacheLayer()</c>), with
/// endpoints mapped as an app maps them (a minimal-API list, a minimal-API route with a parameter, a
/// controller action with <c>[CacheResponse]</c>), the memory tier active and warm, and reusable requests to
/// them. <see cref="Pipeline"/> is the request pipeline the host builds from the layer's start-up filters and
/// its middleware, ending in an origin that throws (a hit never reaches it). Reusing an <see cref="HttpContext"/>
/// keeps the server's per-request objects out of the figures, so what is measured is what the layer itself
/// allocates. Internal, as the layer's types are (the library lets this assembly see them).
/// </summary>
internal sealed class HitPathFixture : IAsyncDisposable
{
    public const string PostsRoute = "/api/posts/";
    public const string UsersRoute = "/api/users/{id:int}";
    public const string ControllerRoute = "/bench/controller/{id:int}";
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The connection name the layer is registered with, and its Redis client's service key.</summary>
    public const string ConnectionName = "cache";

    /// <summary>The demo's posts list, 43 bytes.</summary>
    public static readonly byte[] Body = """{"posts":["Cached post A","Cached post B"]}"""u8.ToArray();

    private readonly ConnectionMultiplexer _redis;

    private HitPathFixture(WebApplication app, ConnectionMultiplexer redis)
    {
        App = app;
        _redis = redis;
        Services = app.Services;
        Tier = Services.GetRequiredService<MemoryTier>();
        // The tier serves only while this replica is current with the invalidation log. No log reader runs
        // here (the host is not started), so record a read "started" a day from now: current for the whole run.
        var sync = Services.GetRequiredService<InvalidationSync>();
        sync.Applied(sync.Now + (long)TimeSpan.FromDays(1).TotalSeconds * TimeProvider.System.TimestampFrequency);
        Statistics = Services.GetRequiredService<CacheStatistics>();
        Metrics = Services.GetRequiredService<CacheMetrics>();
        Time = Services.GetRequiredService<TimeProvider>();
        Plans = Services.GetRequiredService<CachedEndpoints>();
        Answers = Services.GetRequiredService<CachedAnswers>();
        Bypass = Services.GetRequiredService<BypassRules>();
        Middleware = ActivatorUtilities.CreateInstance<CacheLayerMiddleware>(Services, (RequestDelegate)Origin);

        // As the host builds its pipeline: every IStartupFilter (the layer's response-start hook first, its
        // start-up check of the endpoints), then the app's own: UseCacheLayer, and the origin.
        Action<IApplicationBuilder> configure = pipeline =>
        {
            pipeline.UseCacheLayer();
            pipeline.Run(Origin);
        };
        foreach (var filter in Services.GetServices<IStartupFilter>().Reverse())
        {
            configure = filter.Configure(configure);
        }
        var builder = new ApplicationBuilder(Services);
        configure(builder);
        Pipeline = builder.Build();

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>().ToList();
        // MVC keeps an attribute route's template without its leading slash.
        RouteEndpoint Find(string route) => endpoints.SingleOrDefault(endpoint => endpoint.RoutePattern.RawText?.TrimStart('/') == route.TrimStart('/'))
            ?? throw new InvalidOperationException($"No endpoint {route}; there are {string.Join(", ", endpoints.Select(endpoint => endpoint.RoutePattern.RawText))}.");
        Posts = Find(PostsRoute);
        Users = Find(UsersRoute);
        Controller = Find(ControllerRoute);

        // Whole milliseconds, as the stored format keeps them, so a decoded entry equals this one.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(Time.GetUtcNow().ToUnixTimeMilliseconds());
        Entry = new CacheEntry(StatusCodes.Status200OK, ContentType, EntityTag.For(ContentType, Body), Body, now, now.AddHours(1));
    }

    public WebApplication App { get; }

    public IServiceProvider Services { get; }

    public MemoryTier Tier { get; }

    public CacheStatistics Statistics { get; }

    public CacheMetrics Metrics { get; }

    public TimeProvider Time { get; }

    public CachedEndpoints Plans { get; }

    public CachedAnswers Answers { get; }

    public BypassRules Bypass { get; }

    /// <summary>The layer's middleware alone, with the origin after it.</summary>
    public CacheLayerMiddleware Middleware { get; }

    /// <summary>The whole pipeline as the host builds it: the layer's start-up filters, <c>UseCacheLayer</c>, the origin.</summary>
    public RequestDelegate Pipeline { get; }

    /// <summary><c>GET /api/posts/</c>: minimal API, binds <c>page</c> and <c>pageSize</c>, varies by <c>Accept-Language</c>.</summary>
    public RouteEndpoint Posts { get; }

    /// <summary><c>GET /api/users/{id:int}</c>: minimal API, the key path filled from the route's <c>id</c>.</summary>
    public RouteEndpoint Users { get; }

    /// <summary><c>GET /bench/controller/{id:int}</c>: an MVC action with <c>[CacheResponse(300)]</c>.</summary>
    public RouteEndpoint Controller { get; }

    /// <summary>The stored posts list, expiring in an hour.</summary>
    public CacheEntry Entry { get; }

    /// <summary>Stands in for the app after the layer: never called on a hit.</summary>
    private static Task Origin(HttpContext context) =>
        throw new InvalidOperationException("The origin ran: the request was not a hit.");

    public static HitPathFixture Create()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        // The tier keeps an entry MemoryTier:MaxAge (5 s by default), after which a hit reads Redis again and
        // refills it; here nothing refills it, so keep entries for the whole run.
        builder.AddCacheLayer(ConnectionName, options => options.MemoryTier.MaxAge = TimeSpan.FromDays(1));
        // Accept-Language is keyed by the supported culture it resolves to: fr must be one.
        builder.Services.Configure<RequestLocalizationOptions>(options => options.SetDefaultCulture("en").AddSupportedUICultures("en", "fr"));
        // BenchmarkDotNet runs this assembly from a generated host, so name it as the controllers' part.
        builder.Services.AddControllers().AddApplicationPart(typeof(HitPathFixture).Assembly);
        // Never connects: a memory-tier hit does not touch Redis. Registered after AddCacheLayer under
        // the connection name, so the layer resolves this client instead of creating Aspire's (which
        // is why no connection string is needed).
        var redis = ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=100");
        builder.Services.AddKeyedSingleton<IConnectionMultiplexer>(ConnectionName, redis);

        var app = builder.Build();
        // As the demo caches its posts list (with the Accept-Language variant the earlier figures had) and a user.
        app.MapGet(PostsRoute, (int page = 1, int pageSize = 20) => "")
            .CacheResponse(TimeSpan.FromSeconds(90), tags: ["posts"], varyByHeaders: ["Accept-Language"]);
        app.MapGet(UsersRoute, (int id) => id.ToString(CultureInfo.InvariantCulture))
            .CacheResponse(TimeSpan.FromSeconds(120), tags: ["users"]);
        app.MapControllers();
        return new HitPathFixture(app, redis);
    }

    /// <summary>
    /// A GET of <paramref name="path"/> routed to <paramref name="endpoint"/> (route values as routing sets
    /// them), whose response body goes to <see cref="Stream.Null"/>.
    /// </summary>
    public DefaultHttpContext Request(
        RouteEndpoint endpoint, string path, string? query = null, string? acceptLanguage = null, string? ifNoneMatch = null,
        RouteValueDictionary? routeValues = null)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }
        if (acceptLanguage is not null)
        {
            context.Request.Headers.AcceptLanguage = acceptLanguage;
        }
        if (ifNoneMatch is not null)
        {
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        }
        if (routeValues is not null)
        {
            context.Request.RouteValues = routeValues;
        }
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        context.SetEndpoint(endpoint);
        return context;
    }

    /// <summary>The key the layer builds for <paramref name="context"/>.</summary>
    public CacheKey KeyOf(HttpContext context)
    {
        var read = Plans.For(context.GetEndpoint()!).Read ?? throw new InvalidOperationException("Not a cached endpoint.");
        return read.TryKey(context, "", out var key) ? key : throw new InvalidOperationException("The request's values do not parse.");
    }

    /// <summary>Puts <paramref name="entry"/> in the memory tier under <paramref name="context"/>'s key, as a Redis hit or a stored miss would.</summary>
    public CacheKey Remember(HttpContext context, CacheEntry entry)
    {
        var key = KeyOf(context);
        Tier.Set(key, entry, Plans.For(context.GetEndpoint()!).Read!.Policy.Tags, Tier.Epoch);
        if (!Tier.TryGet(key, out _))
        {
            throw new InvalidOperationException($"The memory tier did not keep {key}.");
        }
        return key;
    }

    /// <summary>What a new request starts with: no response headers, status 200.</summary>
    public static void Reset(HttpContext context)
    {
        context.Response.Headers.Clear();
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Runs <paramref name="context"/> through <paramref name="handler"/> (the pipeline or the middleware alone) from a fresh response.</summary>
    public static Task Serve(RequestDelegate handler, HttpContext context)
    {
        Reset(context);
        return handler(context);
    }

    /// <summary>Throws unless <paramref name="context"/>, served, was a memory-tier hit with <paramref name="status"/>.</summary>
    public static void ExpectHit(HttpContext context, int status)
    {
        var response = context.Response;
        if (response.StatusCode != status
            || response.Headers[CacheHeaders.XCache] != "HIT"
            || !response.Headers[CacheHeaders.CacheStatus].ToString().EndsWith("; detail=memory", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Expected a {status} memory-tier hit on {context.Request.Path}, got {response.StatusCode} {response.Headers[CacheHeaders.CacheStatus]}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

/// <summary>An MVC action cached by the attribute, as CacheLayer.Api's bench controller: <c>GET /bench/controller/{id}</c>.</summary>
[ApiController]
public sealed class BenchItemsController : ControllerBase
{
    [HttpGet(HitPathFixture.ControllerRoute), CacheResponse(300)]
    public object Get(int id) => new { id, name = "Cached item A, controller" };
}
