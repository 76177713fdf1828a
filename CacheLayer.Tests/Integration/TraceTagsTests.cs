using System.Diagnostics;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// A trace tells a hit from a miss: the request's server span carries <c>cachelayer.cache.status</c> and,
/// for a hit, <c>cachelayer.cache.tier</c>. Each request is sent under a trace id of its own, so the span is
/// found among those of every other test running in this process.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class TraceTagsTests(CacheServerFixture store) : IAsyncLifetime, IDisposable
{
    private readonly RecordedSpans _spans = new("Microsoft.AspNetCore");
    private ApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        _api = new ApiFactory(store.Server.ConnectionString);
        await _api.WaitUntilMemoryTierActiveAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => _spans.Dispose();

    [Fact]
    public async Task The_request_span_says_whether_the_cache_answered_and_from_where()
    {
        using var client = _api.CreateClient();

        var miss = await SpanOfAsync(client, "/api/users/1");
        var hit = await SpanOfAsync(client, "/api/users/1");
        var bypass = await SpanOfAsync(client, "/api/users/1?nocache=true");

        Assert.Equal(("miss", null), Tags(miss));
        Assert.Equal(("hit", "memory"), Tags(hit));
        Assert.Equal(("bypass", null), Tags(bypass));
    }

    private async Task<Activity> SpanOfAsync(HttpClient client, string path)
    {
        using var request = RecordedSpans.TracedGet(path, out var traceId);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => _spans.OfTrace(traceId).Any());
        return Assert.Single(_spans.OfTrace(traceId));
    }

    private static (string?, string?) Tags(Activity span) =>
        (span.GetTagItem("cachelayer.cache.status") as string, span.GetTagItem("cachelayer.cache.tier") as string);
}
