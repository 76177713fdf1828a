using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using System.Diagnostics.Metrics;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// The <c>CacheLayer.Cache</c> meter. Every instrument is tagged with the route template
/// (<c>http.route</c>), never with a cache key, so cardinality stays bounded.
/// </summary>
internal sealed class CacheMetrics
{
    public const string MeterName = "CacheLayer.Cache";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _bypasses;
    private readonly Counter<long> _invalidations;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _collapsed;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _notModified;
    private readonly Counter<long> _circuitTransitions;
    private readonly Meter _meter;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _hits = meter.CreateCounter<long>("cachelayer.cache.hits", "{request}", "Requests answered from the cache.");
        _misses = meter.CreateCounter<long>("cachelayer.cache.misses", "{request}", "Cacheable requests answered by the origin.");
        _bypasses = meter.CreateCounter<long>("cachelayer.cache.bypasses", "{request}", "Requests that asked not to use the cache.");
        _invalidations = meter.CreateCounter<long>("cachelayer.cache.invalidations", "{invalidation}", "Cache paths invalidated by writes or admins.");
        _errors = meter.CreateCounter<long>("cachelayer.cache.errors", "{error}", "Cache store calls that failed or timed out.");
        _collapsed = meter.CreateCounter<long>("cachelayer.cache.collapsed", "{request}", "Misses answered by an identical request's origin call instead of their own.");
        _stale = meter.CreateCounter<long>("cachelayer.cache.stale", "{request}", "Requests answered from a grace copy past its TTL, by reason.");
        _notModified = meter.CreateCounter<long>("cachelayer.cache.not_modified", "{response}", "304 answers to a matching If-None-Match.");
        _circuitTransitions = meter.CreateCounter<long>("cachelayer.cache.circuit.transitions", "{transition}", "Times the cache store circuit opened or closed.");
        _duration = meter.CreateHistogram<double>("cachelayer.cache.operation.duration", "s", "Duration of cache store calls.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    }

    public void Hit(string route, CacheTier from) =>
        _hits.Add(1, Route(route), new("cachelayer.tier", from.Name()));

    public void Miss(string route) => _misses.Add(1, Route(route));

    public void Bypass(string route, CacheBypassReason reason) => _bypasses.Add(1, Route(route), new("cachelayer.reason", reason.Name()));

    public void Collapsed(string route) => _collapsed.Add(1, Route(route));

    public void Stale(string route, StaleReason reason) => _stale.Add(1, Route(route), new("cachelayer.reason", reason.Name()));

    public void NotModified(string route) => _notModified.Add(1, Route(route));

    public void CircuitTransition(bool open) => _circuitTransitions.Add(1, new KeyValuePair<string, object?>("cachelayer.circuit.state", open ? "open" : "closed"));

    /// <summary>The circuit's gauge: 1 while the store is considered down.</summary>
    public void ObserveCircuit(Func<bool> isOpen) =>
        _meter.CreateObservableGauge("cachelayer.cache.circuit.open", () => isOpen() ? 1 : 0, "{state}",
            "1 while the cache store is considered down and skipped.");

    /// <summary>The invalidations waiting for the store to come back.</summary>
    public void ObservePendingInvalidations(Func<int> count) =>
        _meter.CreateObservableGauge("cachelayer.cache.invalidations.pending", count, "{invalidation}",
            "Invalidations waiting for the cache store to come back.");

    /// <summary>The in-process tier's size, per process: entries, and bytes as counted against its byte budget.</summary>
    public void ObserveMemoryTier(Func<long> entries, Func<long> bytes)
    {
        _meter.CreateObservableGauge("cachelayer.cache.memory.entries", entries, "{entry}",
            "Entries held in the in-process memory tier.");
        _meter.CreateObservableGauge("cachelayer.cache.memory.size", bytes, "By",
            "Bytes held in the in-process memory tier, as counted against its SizeLimitBytes.");
    }

    public void Invalidation(string route) => _invalidations.Add(1, Route(route));

    public void Error(string route, string operation) =>
        _errors.Add(1, Route(route), new("cachelayer.operation", operation));

    public void Duration(string route, string operation, TimeSpan elapsed, bool succeeded) =>
        _duration.Record(elapsed.TotalSeconds, Route(route), new("cachelayer.operation", operation),
            new("cachelayer.outcome", succeeded ? "success" : "failure"));

    private static KeyValuePair<string, object?> Route(string route) => new("http.route", route);
}
