using System.Diagnostics;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Work no traced request asked for starts no trace: the janitor's trim, the recovery probe's ping and the
/// health check's ping (on <c>/health</c>, which the host does not trace) reach the store without a span.
/// Root spans are looked for among all the process's, as they start: no code path may start one.
/// </summary>
public sealed class BackgroundTracesTests(CacheServerFixture store)
    : ApiTest(store, ApiFactory.SettingsForAJumpingClock, new FakeTimeProvider(DateTimeOffset.UtcNow)), IDisposable
{
    private static readonly TimeSpan JanitorInterval = TimeSpan.FromSeconds(30);

    private readonly RecordedSpans _spans = new("Microsoft.AspNetCore", "CacheLayer.Cache");

    public void Dispose() => _spans.Dispose();

    [Fact]
    public async Task The_janitor_the_recovery_probe_and_the_health_check_start_no_trace()
    {
        using var calls = new StoreCalls(Api);
        var circuit = Api.Service<CacheCircuit>();

        Clock.Advance(JanitorInterval);
        await Eventually.TrueAsync(() => calls.Count("", "trim") == 1);

        circuit.Open("get", new TimeoutException("a store call timed out"));
        Clock.Advance(Api.Service<IOptions<CacheLayerOptions>>().Value.ProbeInterval);
        await Eventually.TrueAsync(() => !circuit.IsOpen);
        var probes = calls.Count("", "ping");

        using var health = RecordedSpans.TracedGet("/health", out var healthTrace);
        using var healthy = await Client.SendAsync(health);
        Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync());

        Assert.True(probes >= 1, "The probe did not ping.");
        Assert.Equal(probes + 1, calls.Count("", "ping"));
        Assert.DoesNotContain(_spans.Started, span => span.Source.Name == "CacheLayer.Cache" && span.ParentSpanId == default);
        Assert.DoesNotContain(_spans.Started, span => span.Source.Name == "CacheLayer.Cache" && span.TraceId == healthTrace);
    }
}
