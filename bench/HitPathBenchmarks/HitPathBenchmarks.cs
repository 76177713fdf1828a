using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// Issue 5's figures: what key building, a memory-tier hit (filter plus writing the result) and
/// decoding a Redis entry allocate per request. The budget is 1 KiB per hit beyond the body.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class HitPathBenchmarks
{
    private HitPathFixture _fixture = null!;
    private EndpointFilterInvocationContext _plain = null!;
    private EndpointFilterInvocationContext _french = null!;
    private EndpointFilterInvocationContext _revalidation = null!;
    private ResponseCacheFilter _userFilter = null!;
    private EndpointFilterInvocationContext _user = null!;
    private HttpRequest _page = null!;
    private byte[] _serialized = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = HitPathFixture.Create();
        _fixture.Remember();
        _fixture.Remember(acceptLanguage: "fr");

        _plain = EndpointFilterInvocationContext.Create(_fixture.Request());
        _french = EndpointFilterInvocationContext.Create(_fixture.Request(acceptLanguage: "fr"));
        _revalidation = EndpointFilterInvocationContext.Create(_fixture.Request(ifNoneMatch: _fixture.Entry.ETag));
        // Parsed by the request's query feature, as the server does (and kept until the query string changes).
        _page = _fixture.Request(query: "?page=7").Request;

        // GET /api/users/1: the route with a parameter, bound by a handler with the demo's signature.
        var userPolicy = new CachePolicy(TimeSpan.FromSeconds(120), ["users"], [], false);
        _userFilter = _fixture.CreateFilter(userPolicy, typeof(HitPathFixture).GetMethod(nameof(HitPathFixture.GetUser))!);
        var userBody = """{"user":{"id":1,"name":"Cached User A"}}"""u8.ToArray();
        var now = _fixture.Entry.StoredAt;
        _fixture.Remember(
            new CacheKey("GET:/api/users/1", ""),
            new CacheEntry(StatusCodes.Status200OK, HitPathFixture.ContentType, EntityTag.For(HitPathFixture.ContentType, userBody), userBody, now, now.AddHours(1)),
            userPolicy.Tags);
        _user = EndpointFilterInvocationContext.Create(
            _fixture.Request(pattern: "/api/users/{id}", path: "/api/users/1"), 1, (object?)null, CancellationToken.None);
        _serialized = _fixture.Entry.Serialize();

        // Each request must really be the hit it stands for.
        Expect(_plain, StatusCodes.Status200OK);
        Expect(_french, StatusCodes.Status200OK);
        Expect(_revalidation, StatusCodes.Status304NotModified);
        Expect(_user, StatusCodes.Status200OK, _userFilter);
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

    /// <summary>
    /// The key of <c>GET /api/posts/?page=7</c>: path from the route template (as the filter takes it:
    /// the template's fixed path when it has no parameters), query, and the key text.
    /// </summary>
    [Benchmark]
    public string KeyBuilding() =>
        new CacheKey(_fixture.Template.FixedPath ?? _fixture.Template.FillPath(_plain, _fixture.ArgumentLookup), CacheKeyQuery.From(_page.Query, HitPathFixture.PostsQuery)).Value;

    /// <summary>The hit path: <c>GET /api/posts/</c> answered from the memory tier and its 43 bytes written out.</summary>
    [Benchmark]
    public ValueTask MemoryTierHit() => _fixture.HitAsync(_plain);

    /// <summary>The same with <c>Accept-Language: fr</c>, which the posts list varies by (so most browsers' requests).</summary>
    [Benchmark]
    public ValueTask MemoryTierHitAcceptLanguage() => _fixture.HitAsync(_french);

    /// <summary>A revalidation: <c>If-None-Match</c> matches, the answer is a 304 with no body.</summary>
    [Benchmark]
    public ValueTask MemoryTierNotModified() => _fixture.HitAsync(_revalidation);

    /// <summary><c>GET /api/users/1</c> from the memory tier: a route whose key path is filled from the bound <c>id</c>.</summary>
    [Benchmark]
    public ValueTask MemoryTierHitUser() => HitPathFixture.HitAsync(_userFilter, _user);

    /// <summary>
    /// What a Redis hit adds on top of the read: decoding the stored value. Typed <see cref="object"/>
    /// because the entry type is internal to the layer and BenchmarkDotNet's generated code names the return type.
    /// </summary>
    [Benchmark]
    public object? RedisEntryDecode() => Decode();

    private CacheEntry? Decode() => CacheEntry.Deserialize(_serialized);

    private void Expect(EndpointFilterInvocationContext invocation, int status, ResponseCacheFilter? filter = null)
    {
        HitPathFixture.HitAsync(filter ?? _fixture.Filter, invocation).AsTask().GetAwaiter().GetResult();
        var response = invocation.HttpContext.Response;
        if (response.StatusCode != status
            || response.Headers[CacheHeaders.XCache] != "HIT"
            || !response.Headers[CacheHeaders.CacheStatus].ToString().EndsWith("; detail=memory", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Expected a {status} memory-tier hit, got {response.StatusCode} {response.Headers[CacheHeaders.CacheStatus]}.");
        }
    }
}
