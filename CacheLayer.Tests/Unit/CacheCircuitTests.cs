using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Unit;

public sealed class CacheCircuitTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private CacheMetrics Metrics => new(_services.GetRequiredService<IMeterFactory>());

    private CacheCircuit Circuit() => new(Metrics, NullLogger<CacheCircuit>.Instance);

    private PendingInvalidations Pending(int capacity = 10) =>
        new(Options.Create(new CacheLayerOptions { MaxPendingInvalidations = capacity }), Metrics);

    public void Dispose() => _services.Dispose();

    [Fact]
    public void A_failure_opens_it_and_it_closes_when_nothing_is_pending()
    {
        var circuit = Circuit();
        var pending = Pending();

        circuit.Open("get", new TimeoutException());

        Assert.True(circuit.IsOpen);
        Assert.True(circuit.TryClose(() => pending.IsEmpty));
        Assert.False(circuit.IsOpen);
    }

    [Fact]
    public void A_missed_invalidation_keeps_it_open_until_taken()
    {
        var circuit = Circuit();
        var pending = Pending();

        foreach (var missed in new[] { CacheInvalidation.Path("GET:/api/users/1"), CacheInvalidation.Path("GET:/api/users/1"), CacheInvalidation.Tag("posts") })
        {
            pending.Add(missed);
            circuit.Open(missed);
        }

        Assert.True(circuit.IsOpen);
        Assert.False(circuit.TryClose(() => pending.IsEmpty));
        var (invalidations, all) = pending.TakeAll();
        Assert.Equal([CacheInvalidation.Path("GET:/api/users/1"), CacheInvalidation.Tag("posts")], invalidations.OrderBy(i => i.Kind));
        Assert.False(all);
        Assert.True(circuit.TryClose(() => pending.IsEmpty));
    }

    [Fact]
    public void Beyond_its_bound_it_asks_for_everything_to_be_invalidated()
    {
        var pending = Pending(capacity: 2);

        foreach (var id in Enumerable.Range(1, 1000))
        {
            pending.Add(CacheInvalidation.Path($"GET:/api/users/{id}"));
        }

        Assert.Equal(2, pending.Count);
        Assert.False(pending.IsEmpty);
        var (_, all) = pending.TakeAll();
        Assert.True(all);
        Assert.True(pending.IsEmpty);
    }
}
