using System.Diagnostics.Metrics;
using CacheLayer.Api.Caching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Unit;

public sealed class CacheCircuitTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private CacheCircuit Circuit(int maxPending = 10) => new(
        new CacheMetrics(_services.GetRequiredService<IMeterFactory>()),
        Options.Create(new ResponseCachingOptions { MaxPendingInvalidations = maxPending }),
        NullLogger<CacheCircuit>.Instance);

    public void Dispose() => _services.Dispose();

    [Fact]
    public void A_failure_opens_it_and_it_closes_when_nothing_is_pending()
    {
        var circuit = Circuit();

        circuit.Open("get", new TimeoutException());

        Assert.True(circuit.IsOpen);
        Assert.True(circuit.TryClose());
        Assert.False(circuit.IsOpen);
    }

    [Fact]
    public void A_missed_invalidation_opens_it_and_keeps_it_open_until_taken()
    {
        var circuit = Circuit();

        circuit.Defer(CacheInvalidation.Path("GET:/api/users/1"));
        circuit.Defer(CacheInvalidation.Path("GET:/api/users/1"));
        circuit.Defer(CacheInvalidation.Tag("posts"));

        Assert.True(circuit.IsOpen);
        Assert.False(circuit.TryClose());
        var (invalidations, all) = circuit.TakePending();
        Assert.Equal([CacheInvalidation.Path("GET:/api/users/1"), CacheInvalidation.Tag("posts")], invalidations.OrderBy(i => i.Kind));
        Assert.False(all);
        Assert.True(circuit.TryClose());
    }

    [Fact]
    public void Beyond_its_bound_it_asks_for_everything_to_be_invalidated()
    {
        var circuit = Circuit(maxPending: 2);

        foreach (var id in Enumerable.Range(1, 1000))
        {
            circuit.Defer(CacheInvalidation.Path($"GET:/api/users/{id}"));
        }

        Assert.Equal(2, circuit.PendingCount);
        var (_, all) = circuit.TakePending();
        Assert.True(all);
    }
}
