using System.Diagnostics;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// A request's trace shows its cache store calls: one client span per call, a child of the request's server
/// span. The memory tier is off, so a hit is a Redis read too.
/// </summary>
public sealed class StoreSpanTests(CacheServerFixture store)
    : ApiTest(store, new() { ["CacheLayer:MemoryTier:Enabled"] = "false" }), IDisposable
{
    private readonly RecordedSpans _spans = new("Microsoft.AspNetCore", "CacheLayer.Cache");

    public void Dispose() => _spans.Dispose();

    [Fact]
    public async Task A_cached_gets_store_calls_are_children_of_its_request_span()
    {
        var (missRequest, missCalls) = await TracedGetAsync("/api/users/1", expectedCalls: 2);
        var (hitRequest, hitCalls) = await TracedGetAsync("/api/users/1", expectedCalls: 1);

        // A miss reads the entry (with the generations to store under: layout v3 reads a path without one as "",
        // created by the store; the same read brings a grace copy if there is one), and stores.
        Assert.Equal(["cachelayer get", "cachelayer set"], missCalls.Select(span => span.DisplayName).Order());
        Assert.Equal(["cachelayer get"], hitCalls.Select(span => span.DisplayName));
        foreach (var (request, calls) in new[] { (missRequest, missCalls), (hitRequest, hitCalls) })
        {
            Assert.All(calls, call =>
            {
                Assert.Equal(request.SpanId, call.ParentSpanId);
                Assert.Equal(ActivityKind.Client, call.Kind);
                Assert.Equal("redis", call.GetTagItem("db.system.name"));
                Assert.Equal("/api/users/{id}", call.GetTagItem("http.route"));
                Assert.Equal(ActivityStatusCode.Unset, call.Status);
            });
        }
    }

    /// <summary>Sends a GET in a trace of its own; its server span and, once all have ended, its store calls' spans.</summary>
    private async Task<(Activity Request, List<Activity> Calls)> TracedGetAsync(string path, int expectedCalls)
    {
        using var request = RecordedSpans.TracedGet(path, out var traceId);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        // A miss stores its entry as the response goes: the set may end just after the client has its answer.
        await Eventually.TrueAsync(() => _spans.OfTrace(traceId).Count() >= expectedCalls + 1);
        var spans = _spans.OfTrace(traceId).ToList();
        return (Assert.Single(spans, span => span.Source.Name == "Microsoft.AspNetCore"),
            [.. spans.Where(span => span.Source.Name == "CacheLayer.Cache")]);
    }
}
