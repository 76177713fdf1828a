using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// The cache store calls one API instance made, as its <c>cachelayer.cache.operation.duration</c> histogram
/// records them (route, operation), told apart from other instances' by the meter factory that made the meter.
/// </summary>
public sealed class StoreCalls : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Route, string Operation)> _calls = new();

    public StoreCalls(ApiFactory api)
    {
        var meters = api.Service<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "cachelayer.cache.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? route = null, operation = null;
            foreach (var tag in tags)
            {
                route = tag.Key == "http.route" ? tag.Value as string : route;
                operation = tag.Key == "cachelayer.operation" ? tag.Value as string : operation;
            }
            _calls.Enqueue((route ?? "", operation ?? ""));
        });
        _listener.Start();
    }

    public int Count(string route, string operation) => _calls.Count(call => call == (route, operation));

    public void Dispose() => _listener.Dispose();
}
