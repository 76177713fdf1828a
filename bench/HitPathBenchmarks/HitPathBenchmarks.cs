using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// Issue 5's figures, through the middleware: what a memory-tier hit allocates per request, served by the
/// request pipeline the host builds (the layer's response-start hook, <c>app.UseCacheLayer()</c>), plus the
/// middleware alone, key building and decoding a Redis entry. The budget is 1 KiB per hit beyond the body.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class HitPathBenchmarks
{
    private HitPathFixture _fixture = null!;
    private RequestDelegate _pipeline = null!;
    private RequestDelegate _middleware = null!;
    private HttpContext _plain = null!;
    private HttpContext _french = null!;
    private HttpContext _revalidation = null!;
    private HttpContext _user = null!;
    private HttpContext _controller = null!;
    private HttpContext _page = null!;
    private byte[] _serialized = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = HitPathFixture.Create();
        _pipeline = _fixture.Pipeline;
        _middleware = _fixture.Middleware.InvokeAsync;
        var posts = _fixture.Posts;
        _plain = _fixture.Request(posts, HitPathFixture.PostsRoute);
        _french = _fixture.Request(posts, HitPathFixture.PostsRoute, acceptLanguage: "fr");
        _revalidation = _fixture.Request(posts, HitPathFixture.PostsRoute, ifNoneMatch: _fixture.Entry.ETag);
        _page = _fixture.Request(posts, HitPathFixture.PostsRoute, query: "?page=7");
        _fixture.Remember(_plain, _fixture.Entry);
        _fixture.Remember(_french, _fixture.Entry);

        // GET /api/users/1: a route with a parameter. Routing leaves route values as strings.
        _user = _fixture.Request(_fixture.Users, "/api/users/1", routeValues: new RouteValueDictionary { ["id"] = "1" });
        var userBody = """{"user":{"id":1,"name":"Cached User A"}}"""u8.ToArray();
        _fixture.Remember(_user, _fixture.Entry with { ETag = EntityTag.For(HitPathFixture.ContentType, userBody), Body = userBody });

        // GET /bench/controller/1: the MVC action; routing also sets action and controller.
        _controller = _fixture.Request(_fixture.Controller, "/bench/controller/1",
            routeValues: new RouteValueDictionary { ["action"] = "Get", ["controller"] = "BenchItems", ["id"] = "1" });
        var itemBody = """{"id":1,"name":"Cached item A, controller"}"""u8.ToArray();
        _fixture.Remember(_controller, _fixture.Entry with { ETag = EntityTag.For(HitPathFixture.ContentType, itemBody), Body = itemBody });
        _serialized = _fixture.Entry.Serialize();

        // Each request must really be the hit it stands for, through both ways in.
        foreach (var handler in new[] { _pipeline, _middleware })
        {
            Expect(handler, _plain, StatusCodes.Status200OK);
            Expect(handler, _french, StatusCodes.Status200OK);
            Expect(handler, _revalidation, StatusCodes.Status304NotModified);
            Expect(handler, _user, StatusCodes.Status200OK);
            Expect(handler, _controller, StatusCodes.Status200OK);
        }
        if (KeyBuilding() != "GET:/api/posts/?page=7")
        {
            throw new InvalidOperationException($"Unexpected key {KeyBuilding()}.");
        }
        if (Decode() != _fixture.Entry with { Body = Decode()!.Body }
            || !Decode()!.Body.Span.SequenceEqual(HitPathFixture.Body))
        {
            throw new InvalidOperationException("The entry did not survive a round trip.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The hit: <c>GET /api/posts/</c> through the host's pipeline, answered from the memory tier, 43 bytes written out.</summary>
    [Benchmark(Baseline = true)]
    public Task MemoryTierHit() => HitPathFixture.Serve(_pipeline, _plain);

    /// <summary>The same request through <c>CacheLayerMiddleware</c> alone (without the response-start hook before it).</summary>
    [Benchmark]
    public Task MemoryTierHitMiddlewareOnly() => HitPathFixture.Serve(_middleware, _plain);

    /// <summary>The same with <c>Accept-Language: fr</c>, which the posts list varies by (so most browsers' requests).</summary>
    [Benchmark]
    public Task MemoryTierHitAcceptLanguage() => HitPathFixture.Serve(_pipeline, _french);

    /// <summary>A revalidation: <c>If-None-Match</c> matches, the answer is a 304 with no body.</summary>
    [Benchmark]
    public Task MemoryTierNotModified() => HitPathFixture.Serve(_pipeline, _revalidation);

    /// <summary><c>GET /api/users/1</c>: a route whose key path is filled from the route's <c>id</c>.</summary>
    [Benchmark]
    public Task MemoryTierHitUser() => HitPathFixture.Serve(_pipeline, _user);

    /// <summary><c>GET /bench/controller/1</c>: an MVC action with <c>[CacheResponse(300)]</c>, answered before MVC runs.</summary>
    [Benchmark]
    public Task MemoryTierHitController() => HitPathFixture.Serve(_pipeline, _controller);

    /// <summary>The key of <c>GET /api/posts/?page=7</c> as the middleware builds it (bound query values canonicalized).</summary>
    [Benchmark]
    public string KeyBuilding() => _fixture.KeyOf(_page).Value;

    /// <summary>
    /// What a Redis hit adds on top of the read: decoding the stored value. Typed <see cref="object"/>
    /// because the entry type is internal to the layer and BenchmarkDotNet's generated code names the return type.
    /// </summary>
    [Benchmark]
    public object? RedisEntryDecode() => Decode();

    private CacheEntry? Decode() => CacheEntry.Deserialize(_serialized);

    private static void Expect(RequestDelegate handler, HttpContext context, int status)
    {
        HitPathFixture.Serve(handler, context).GetAwaiter().GetResult();
        HitPathFixture.ExpectHit(context, status);
    }
}
