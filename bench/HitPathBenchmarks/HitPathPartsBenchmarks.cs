using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// The steps of <see cref="HitPathBenchmarks.MemoryTierHit"/> one by one, in the order the filter
/// takes them, so its allocations can be attributed. Each step works on the same request.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class HitPathPartsBenchmarks
{
    private HitPathFixture _fixture = null!;
    private EndpointFilterInvocationContext _invocation = null!;
    private HttpContext _context = null!;
    private HttpContext _french = null!;
    private HttpRequest _revalidation = null!;
    private CacheKey _key;
    private CacheEntry _cached = null!;
    private BodyResult _result = null!;
    private CacheKeyTemplate _userTemplate = null!;
    private Func<EndpointFilterInvocationContext, string, object?> _userLookup = null!;
    private EndpointFilterInvocationContext _userInvocation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = HitPathFixture.Create();
        _key = _fixture.Remember();
        _context = _fixture.Request();
        _invocation = EndpointFilterInvocationContext.Create(_context);
        _french = _fixture.Request(acceptLanguage: "fr");
        _revalidation = _fixture.Request(ifNoneMatch: _fixture.Entry.ETag).Request;
        _cached = _fixture.Entry;
        _result = new BodyResult(_cached, notModified: false);
        _userTemplate = CacheKeyTemplate.Parse("GET:/api/users/{id}");
        _userLookup = EndpointRoute.ArgumentLookup(typeof(HitPathPartsBenchmarks).GetMethod(nameof(User))!);
        _userInvocation = EndpointFilterInvocationContext.Create(_fixture.Request(), 1);
        if (KeyPath() != "GET:/api/posts/" || KeyPathWithParameter() != "GET:/api/users/1")
        {
            throw new InvalidOperationException($"Unexpected key paths {KeyPath()}, {KeyPathWithParameter()}.");
        }
        if (!EntityTag.IsMatchedBy(_revalidation, _fixture.Entry.ETag) || KeyVaryAcceptLanguage() != "accept-language=fr")
        {
            throw new InvalidOperationException("The fixture's requests are not what they should be.");
        }
    }

    /// <summary>Stands in for <c>GET /api/users/{id}</c>'s handler: the key reads its bound <c>id</c>.</summary>
    public static string User(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The per-op reset the hit benchmarks do (clear response headers, status 200): should be free.</summary>
    [Benchmark]
    public void Reset() => HitPathFixture.Reset(_context);

    [Benchmark]
    public string RouteTemplate() => EndpointRoute.TemplateOf(_context);

    /// <summary>The request's <c>Cache-Control</c>; a bool out so the internal struct is neither named nor boxed here.</summary>
    [Benchmark]
    public bool Directives() => RequestCacheDirectives.From(_context.Request) is { NoStore: true } or { NoCache: true };

    [Benchmark]
    public bool BypassAndPrivate() =>
        CacheKeyQuery.IsBypass(_context.Request.Query)
        || _context.Request.Headers.Authorization.Count > 0
        || _context.Request.Headers.Cookie.Count > 0;

    /// <summary>The key path as the filter takes it: <c>/api/posts/</c> has no parameters, so its fixed path.</summary>
    [Benchmark]
    public string KeyPath() => _fixture.Template.FixedPath ?? _fixture.Template.FillPath(_invocation, _fixture.ArgumentLookup);

    /// <summary>Not on the posts hit: a route with a parameter, <c>/api/users/{id}</c> with id 1 bound.</summary>
    [Benchmark]
    public string KeyPathWithParameter() => _userTemplate.FixedPath ?? _userTemplate.FillPath(_userInvocation, _userLookup);

    [Benchmark]
    public string KeyQuery() => CacheKeyQuery.From(_context.Request.Query, HitPathFixture.PostsQuery);

    /// <summary>The posts list varies by <c>Accept-Language</c>; this request has none.</summary>
    [Benchmark]
    public string KeyVary() => CacheKeyVary.From(_context, HitPathFixture.Policy, "");

    [Benchmark]
    public string KeyVaryAcceptLanguage() => CacheKeyVary.From(_french, HitPathFixture.Policy, "");

    /// <summary>Read three times per hit (length check, tier, statistics).</summary>
    [Benchmark]
    public int KeyValue() => _key.Value.Length;

    [Benchmark]
    public bool TierTryGet() => _fixture.Tier.TryGet(_key, out _);

    /// <summary>Hit counter and the top-keys table.</summary>
    [Benchmark]
    public void StatisticsHit() => _fixture.Statistics.Hit(_key);

    /// <summary>The hits counter (no listener here; with OpenTelemetry's there is one).</summary>
    [Benchmark]
    public void MetricsHit() => _fixture.Metrics.Hit(HitPathFixture.Route, CacheTier.Memory);

    /// <summary><c>X-Cache</c>, <c>Cache-Status</c>, <c>Age</c> (after a reset).</summary>
    [Benchmark]
    public void HeadersHit()
    {
        HitPathFixture.Reset(_context);
        CacheHeaders.Hit(_context.Response, _fixture.Entry, _fixture.Time.GetUtcNow(), CacheTier.Memory);
    }

    /// <summary><c>ETag</c>, <c>Cache-Control</c>, <c>Vary</c> (after a reset).</summary>
    [Benchmark]
    public void HeadersValidators()
    {
        HitPathFixture.Reset(_context);
        CacheHeaders.Validators(_context.Response, _cached, HitPathFixture.Policy, privateRequest: false);
    }

    [Benchmark]
    public bool IfNoneMatchAbsent() => EntityTag.IsMatchedBy(_context.Request, _fixture.Entry.ETag);

    [Benchmark]
    public bool IfNoneMatchPresent() => EntityTag.IsMatchedBy(_revalidation, _fixture.Entry.ETag);

    /// <summary>The <see cref="BodyResult"/> a hit returns (it writes the stored <see cref="CacheEntry"/> itself, no copy).</summary>
    [Benchmark]
    public IResult ResultObjects() => new BodyResult(_fixture.Entry, notModified: false);

    /// <summary>Status, content type, <c>Content-Length</c> and the 43 bytes through the body writer (after a reset).</summary>
    [Benchmark]
    public Task WriteResult()
    {
        HitPathFixture.Reset(_context);
        return _result.ExecuteAsync(_context);
    }
}
