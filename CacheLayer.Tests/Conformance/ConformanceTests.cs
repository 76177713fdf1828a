using Xunit.Abstractions;

namespace CacheLayer.Tests.Conformance;

/// <summary>
/// Starts both runs of the cache-tests suite at once, one gateway and two replicas, each on its own
/// redis-server, origin and free ports: the suite spends most of its minute in its own pauses, so side by side
/// they take the time of one.
/// </summary>
public sealed class ConformanceRuns : IAsyncLifetime
{
    public Task<ConformanceRun> OneGateway { get; private set; } = null!;

    public Task<ConformanceRun> TwoReplicas { get; private set; } = null!;

    public Task InitializeAsync()
    {
        ConformanceRun.RequireTools();
        OneGateway = Task.Run(() => ConformanceRun.StartAsync(1, "baseline.json"));
        TwoReplicas = Task.Run(() => ConformanceRun.StartAsync(2, "baseline-2replicas.json"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        // Both runs have ended (and stopped what they started) before the next test class starts.
        await Task.WhenAll(OneGateway, TwoReplicas).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}

/// <summary>
/// The public HTTP caching test suite (conformance/cache-tests, cache-tests.fyi) against CacheLayer.Gateway,
/// graded by conformance/check.mjs: every required test that passes in the committed baseline must still pass.
/// A failure shows the checker's table (this run, the baseline, Varnish, nginx...) and the regressed tests;
/// docs/conformance.md says how to run it by hand and how to update the baseline.
/// </summary>
public sealed class ConformanceTests(ConformanceRuns runs, ITestOutputHelper output) : IClassFixture<ConformanceRuns>
{
    [Fact]
    public async Task One_gateway_passes_every_required_test_that_its_baseline_passes() =>
        Verify(await runs.OneGateway);

    [Fact]
    public async Task Two_replicas_taking_turns_pass_every_required_test_that_their_baseline_passes() =>
        Verify(await runs.TwoReplicas);

    private void Verify(ConformanceRun run)
    {
        output.WriteLine(run.Report());
        Assert.True(run.Passed, run.Report());
    }
}
