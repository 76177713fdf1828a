using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// Invalidations the store did not get, kept until the recovery applies them: coalesced (the same
/// invalidation twice is kept once) and bounded by <see cref="CacheLayerOptions.MaxPendingInvalidations"/>,
/// beyond which the recovery invalidates everything instead.
/// </summary>
internal sealed class PendingInvalidations
{
    private readonly Lock _lock = new();
    private readonly HashSet<CacheInvalidation> _pending = [];
    private readonly int _capacity;
    private bool _overflowed;

    public PendingInvalidations(IOptions<CacheLayerOptions> options, CacheMetrics metrics)
    {
        _capacity = options.Value.MaxPendingInvalidations;
        metrics.ObservePendingInvalidations(() => Count);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Nothing waits to be applied.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count == 0 && !_overflowed;
            }
        }
    }

    public void Add(CacheInvalidation invalidation)
    {
        lock (_lock)
        {
            if (_pending.Count < _capacity)
            {
                _pending.Add(invalidation);
            }
            else
            {
                _overflowed = true;
            }
        }
    }

    /// <summary>Too much was missed to replay one by one: everything must be invalidated.</summary>
    public void AddAll()
    {
        lock (_lock)
        {
            _overflowed = true;
        }
    }

    /// <summary>Hands everything over to the recovery; what it cannot apply it adds back.</summary>
    public (IReadOnlyCollection<CacheInvalidation> Invalidations, bool All) TakeAll()
    {
        lock (_lock)
        {
            var taken = (Invalidations: (IReadOnlyCollection<CacheInvalidation>)[.. _pending], All: _overflowed);
            _pending.Clear();
            _overflowed = false;
            return taken;
        }
    }
}
