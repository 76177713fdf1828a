using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// The steps of <see cref="HitPathBenchmarks.MemoryTierHit"/> one by one, in the order the pipeline takes
/// them (response-start hook, <c>CacheLayerMiddleware</c>, <c>CachedResponses.ServeAsync</c>,
/// <c>CachedAnswers.HitAsync</c>, <c>CachedResponseWriter</c>), so its allocations can be attributed. Each
/// step works on the same request, <c>GET /api/posts/</c> with no query and no <c>Accept-Language</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class HitPathPartsBenchmarks
{
    private HitPathFixture _fixture = null!;
    private HttpContext _context = null!;
    private HttpContext _french = null!;
    private CachedEndpoint _endpoint = null!;
    private CacheKey _key;
    private CacheRequest _request;
    private CacheEntry _entry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = HitPathFixture.Create();
        _context = _fixture.Request(_fixture.Posts, HitPathFixture.PostsRoute);
        _french = _fixture.Request(_fixture.Posts, HitPathFixture.PostsRoute, acceptLanguage: "fr");
        _key = _fixture.Remember(_context, _fixture.Entry);
        _endpoint = _fixture.Plans.For(_fixture.Posts).Read!;
        _request = new CacheRequest(_context, _endpoint, _ => Task.CompletedTask, _key, IsPrivate: false);
        _entry = _fixture.Entry;
        if (Key() != "GET:/api/posts/" || KeyAcceptLanguage() != "GET:/api/posts/\naccept-language=fr".Replace("\n", KeySeparator(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected keys {Key()}, {KeyAcceptLanguage()}.");
        }
        if (!TierTryGet() || Bypass())
        {
            throw new InvalidOperationException("The fixture's request is not a memory-tier hit.");
        }
    }

    private string KeySeparator()
    {
        var french = _fixture.KeyOf(_french).Value;
        return french.Substring("GET:/api/posts/".Length, french.Length - "GET:/api/posts/accept-language=fr".Length);
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The per-op reset the hit benchmarks do (clear response headers, status 200): should be free.</summary>
    [Benchmark]
    public void Reset() => HitPathFixture.Reset(_context);

    /// <summary>The middleware's lookup of the endpoint's plan (a dictionary keyed by the endpoint).</summary>
    [Benchmark]
    public bool Plan() => _fixture.Plans.For(_fixture.Posts).Read is not null;

    /// <summary>The request's <c>Cache-Control</c> and the bypass rules (no-store, <c>?nocache</c>, credentials).</summary>
    [Benchmark]
    public bool Bypass() => _fixture.Bypass.Of(_context, _endpoint.Policy, RequestCacheDirectives.From(_context.Request), out _) is not null;

    /// <summary>The key: fixed path, bound query values (none here), the <c>Accept-Language</c> variant (none here).</summary>
    [Benchmark]
    public string Key() => _endpoint.TryKey(_context, "", out var key) ? key.Value : "";

    /// <summary>The same with <c>Accept-Language: fr</c>: a variant key.</summary>
    [Benchmark]
    public string KeyAcceptLanguage() => _endpoint.TryKey(_french, "", out var key) ? key.Value : "";

    /// <summary>The variant part alone (<c>CacheKeyVary.From</c>) for this request, which has no <c>Accept-Language</c>.</summary>
    [Benchmark]
    public string KeyVary() => CacheKeyVary.From(_context, _endpoint.Policy, "");

    /// <summary>
    /// How <c>CacheKeyVary.From</c> walks the policy's varied headers: <c>foreach</c> over the
    /// <c>IReadOnlyList</c> <c>CachePolicy.VaryKeyNames</c>, whose enumerator is boxed when the list is not empty.
    /// </summary>
    [Benchmark]
    public int VaryKeyNamesForeach()
    {
        var count = 0;
        foreach (var (_, keyName) in _endpoint.Policy.VaryKeyNames)
        {
            count += keyName.Length;
        }
        return count;
    }

    /// <summary>The same walk by index.</summary>
    [Benchmark]
    public int VaryKeyNamesIndexed()
    {
        var names = _endpoint.Policy.VaryKeyNames;
        var count = 0;
        for (var i = 0; i < names.Length; i++)
        {
            count += names[i].KeyName.Length;
        }
        return count;
    }

    [Benchmark]
    public bool TierTryGet() => _fixture.Tier.TryGet(_key, out _);

    /// <summary>Hit counter and the top-keys table.</summary>
    [Benchmark]
    public void StatisticsHit() => _fixture.Statistics.Hit(_key);

    /// <summary>The hits counter (no listener here; with OpenTelemetry's there is one).</summary>
    [Benchmark]
    public void MetricsHit() => _fixture.Metrics.Hit(HitPathFixture.PostsRoute, CacheTier.Memory);

    /// <summary><c>X-Cache</c>, <c>Cache-Status</c>, <c>Age</c> (after a reset).</summary>
    [Benchmark]
    public void HeadersHit()
    {
        HitPathFixture.Reset(_context);
        CacheHeaders.Hit(_context.Response, _entry, _fixture.Time.GetUtcNow(), CacheTier.Memory);
    }

    /// <summary><c>ETag</c>, <c>Cache-Control</c>, <c>Vary</c> (after a reset).</summary>
    [Benchmark]
    public void HeadersValidators()
    {
        HitPathFixture.Reset(_context);
        CacheHeaders.Validators(_context.Response, _entry, _endpoint.Policy, privateRequest: false);
    }

    [Benchmark]
    public bool IfNoneMatchAbsent() => EntityTag.IsMatchedBy(_context.Request, _entry.ETag);

    /// <summary>Validators, status, content type, <c>Content-Length</c> and the 43 bytes through the body writer (after a reset).</summary>
    [Benchmark]
    public Task Write()
    {
        HitPathFixture.Reset(_context);
        return CachedResponseWriter.WriteAsync(_request, _entry, _fixture.Metrics);
    }

    /// <summary>
    /// <c>CachedAnswers.HitAsync</c> whole: statistics, metrics, hit headers, the eager-refresh check and the
    /// write (after a reset).
    /// </summary>
    [Benchmark]
    public Task AnswerHit()
    {
        HitPathFixture.Reset(_context);
        return _fixture.Answers.HitAsync(_request, _entry, CacheTier.Memory);
    }
}
