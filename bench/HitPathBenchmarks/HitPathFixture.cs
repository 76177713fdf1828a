using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// The caching layer as a host wires it (<c>AddCacheLayer("cache")</c>), with the memory tier
/// active, and reusable requests to the demo's cached routes. Reusing an <see cref="HttpContext"/>
/// keeps the server's per-request objects out of the figures, so what is measured is what the
/// layer itself allocates. Internal, as the layer's types are (the library lets this assembly see
/// them); the benchmark classes keep it in private fields and expose only public types.
/// </summary>
internal sealed class HitPathFixture : IAsyncDisposable
{
    public const string Route = "/api/posts/";
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The connection name the layer is registered with, and its Redis client's service key.</summary>
    public const string ConnectionName = "cache";

    /// <summary>The demo's posts list, 43 bytes.</summary>
    public static readonly byte[] Body = """{"posts":["Cached post A","Cached post B"]}"""u8.ToArray();

    /// <summary>As <c>GET /api/posts/</c> is cached.</summary>
    public static readonly CachePolicy Policy = new(TimeSpan.FromSeconds(90), ["posts"], ["Accept-Language"], false);

    /// <summary>The query parameters the posts list binds, so they key it.</summary>
    public static readonly CacheKeyQueryNames PostsQuery = CacheKeyQueryNames.Of(["page", "pageSize"], null);

    private readonly ConnectionMultiplexer _redis;

    private HitPathFixture(WebApplication app, ConnectionMultiplexer redis)
    {
        App = app;
        _redis = redis;
        Tier = app.Services.GetRequiredService<MemoryTier>();
        Tier.SetConnected(true);
        Statistics = app.Services.GetRequiredService<CacheStatistics>();
        Metrics = app.Services.GetRequiredService<CacheMetrics>();
        Time = app.Services.GetRequiredService<TimeProvider>();

        // Whole milliseconds, as the stored format keeps them, so a decoded entry equals this one.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(Time.GetUtcNow().ToUnixTimeMilliseconds());
        Entry = new CacheEntry(StatusCodes.Status200OK, ContentType, EntityTag.For(ContentType, Body), Body, now, now.AddHours(1));
        ArgumentLookup = EndpointRoute.ArgumentLookup(typeof(HitPathFixture).GetMethod(nameof(Handler))!);
        Filter = CreateFilter(Policy, typeof(HitPathFixture).GetMethod(nameof(Handler))!);
        Template = CacheKeyTemplate.FromRoute(HttpMethods.Get, RoutePatternFactory.Parse(Route));
    }

    public WebApplication App { get; }

    public MemoryTier Tier { get; }

    public CacheStatistics Statistics { get; }

    public CacheMetrics Metrics { get; }

    public TimeProvider Time { get; }

    /// <summary>The stored posts list, expiring in an hour.</summary>
    public CacheEntry Entry { get; }

    public Func<EndpointFilterInvocationContext, string, object?> ArgumentLookup { get; }

    /// <summary>The filter of <c>GET /api/posts/</c>.</summary>
    public ResponseCacheFilter Filter { get; }

    public CacheKeyTemplate Template { get; }

    /// <summary>Stands in for the endpoint's handler: never called on a hit.</summary>
    public static EndpointFilterDelegate Next { get; } =
        _ => throw new InvalidOperationException("The handler ran: the request was not a hit.");

    /// <summary>The handler whose parameters the key lookup reads: the posts list takes none that key it.</summary>
    public static string Handler() => "";

    /// <summary>
    /// Stands in for the demo's <c>GET /api/users/{id}</c> handler, with its parameters in the same
    /// order (<c>id</c>, the store, the cancellation token), so the key reads the bound <c>id</c>.
    /// </summary>
    public static string GetUser(int id, object? store, CancellationToken cancellationToken) =>
        id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static HitPathFixture Create()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddCacheLayer(ConnectionName);
        // Accept-Language is keyed by the supported culture it resolves to: fr must be one.
        builder.Services.Configure<RequestLocalizationOptions>(options => options.SetDefaultCulture("en").AddSupportedUICultures("en", "fr"));
        // Never connects: a memory-tier hit does not touch Redis. Registered after AddCacheLayer under
        // the connection name, so the layer resolves this client instead of creating Aspire's (which
        // is why no connection string is needed).
        var redis = ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=100");
        builder.Services.AddKeyedSingleton<IConnectionMultiplexer>(ConnectionName, redis);
        return new HitPathFixture(builder.Build(), redis);
    }

    /// <summary>A filter as <c>CacheResponse</c> builds it for an endpoint with this policy and handler.</summary>
    public ResponseCacheFilter CreateFilter(CachePolicy policy, MethodInfo handler) =>
        ActivatorUtilities.CreateInstance<ResponseCacheFilter>(App.Services, policy, EndpointRoute.ArgumentLookup(handler));

    /// <summary>Stores an entry in the memory tier under <paramref name="key"/>, as a Redis hit or a stored miss would.</summary>
    public CacheKey Remember(CacheKey key, CacheEntry entry, IReadOnlyList<string> tags)
    {
        Tier.Set(key, entry, tags, Tier.Epoch);
        if (!Tier.TryGet(key, out _))
        {
            throw new InvalidOperationException($"The memory tier did not keep {key}.");
        }
        return key;
    }

    /// <summary>Stores the posts list under the key of a <c>GET /api/posts/</c> with these headers.</summary>
    public CacheKey Remember(string? acceptLanguage = null) => Remember(
        new CacheKey(Template.FillPath(_ => null), "", acceptLanguage is null ? "" : $"accept-language={Uri.EscapeDataString(acceptLanguage)}"),
        Entry,
        Policy.Tags);

    /// <summary>A GET of <paramref name="path"/>, routed to <paramref name="pattern"/>, whose response body goes to <see cref="Stream.Null"/>.</summary>
    public DefaultHttpContext Request(
        string? acceptLanguage = null, string? ifNoneMatch = null, string pattern = Route, string path = Route, string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = App.Services };
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
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        var routePattern = RoutePatternFactory.Parse(pattern);
        context.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, routePattern, 0, EndpointMetadataCollection.Empty, "bench"));
        return context;
    }

    /// <summary>What a new request starts with: no response headers, status 200.</summary>
    public static void Reset(HttpContext context)
    {
        context.Response.Headers.Clear();
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// The filter's answer to <paramref name="invocation"/>, which must be a hit, written out. A
    /// <see cref="ValueTask"/> so that the harness itself allocates nothing when all completes at once.
    /// </summary>
    public ValueTask HitAsync(EndpointFilterInvocationContext invocation) => HitAsync(Filter, invocation);

    public static async ValueTask HitAsync(ResponseCacheFilter filter, EndpointFilterInvocationContext invocation)
    {
        var context = invocation.HttpContext;
        Reset(context);
        var result = await filter.InvokeAsync(invocation, Next);
        if (result is not BodyResult body)
        {
            throw new InvalidOperationException($"Expected a hit's {nameof(BodyResult)}, got {result?.GetType().Name ?? "null"}.");
        }
        await body.ExecuteAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
