using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Whether the cache store is considered down. It opens on the first failed call, after which
/// requests skip the store entirely instead of each waiting for a timeout; only
/// <see cref="CacheRecoveryService"/> closes it, once the store answers and every invalidation
/// missed meanwhile has been applied, so no entry a write made stale is read again.
/// </summary>
public sealed partial class CacheCircuit
{
    private readonly Lock _lock = new();
    private readonly HashSet<CacheInvalidation> _pending = [];
    private readonly int _maxPending;
    private readonly CacheMetrics _metrics;
    private readonly ILogger<CacheCircuit> _logger;
    private bool _pendingOverflowed;
    private volatile bool _open;

    public CacheCircuit(CacheMetrics metrics, IOptions<ResponseCachingOptions> options, ILogger<CacheCircuit> logger)
    {
        _metrics = metrics;
        _logger = logger;
        _maxPending = options.Value.MaxPendingInvalidations;
        metrics.ObserveCircuit(() => _open, () => PendingCount);
    }

    public bool IsOpen => _open;

    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Called when a store call failed or timed out.</summary>
    public void Open(string operation, Exception reason)
    {
        lock (_lock)
        {
            if (!OpenLocked())
            {
                return;
            }
        }
        LogOpened(_logger, reason, operation);
    }

    /// <summary>
    /// Remembers an invalidation the store did not get (coalesced, bounded) and keeps the
    /// circuit open until it is applied.
    /// </summary>
    public void Defer(CacheInvalidation invalidation)
    {
        bool opened;
        lock (_lock)
        {
            if (_pending.Count < _maxPending)
            {
                _pending.Add(invalidation);
            }
            else
            {
                _pendingOverflowed = true;
            }
            opened = OpenLocked();
        }
        if (opened)
        {
            LogOpenedByInvalidation(_logger, invalidation.ToString());
        }
    }

    /// <summary>Hands the missed invalidations to the recovery; what it cannot apply comes back through <see cref="Defer"/> or <see cref="DeferAll"/>.</summary>
    public (IReadOnlyCollection<CacheInvalidation> Invalidations, bool All) TakePending()
    {
        lock (_lock)
        {
            var taken = (Invalidations: (IReadOnlyCollection<CacheInvalidation>)[.. _pending], All: _pendingOverflowed);
            _pending.Clear();
            _pendingOverflowed = false;
            return taken;
        }
    }

    public void DeferAll()
    {
        lock (_lock)
        {
            _pendingOverflowed = true;
            OpenLocked();
        }
    }

    /// <summary>Closes the circuit unless an invalidation arrived meanwhile; true when closed.</summary>
    public bool TryClose()
    {
        lock (_lock)
        {
            if (!_open)
            {
                return true;
            }
            if (_pending.Count > 0 || _pendingOverflowed)
            {
                return false;
            }
            _open = false;
        }
        _metrics.CircuitTransition(open: false);
        LogClosed(_logger);
        return true;
    }

    private bool OpenLocked()
    {
        if (_open)
        {
            return false;
        }
        _open = true;
        _metrics.CircuitTransition(open: true);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache store unavailable ({Operation} failed); serving from the origin until it answers again")]
    private static partial void LogOpened(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache store missed the invalidation of {Invalidation}; serving from the origin until it is applied")]
    private static partial void LogOpenedByInvalidation(ILogger logger, string invalidation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache store answers again and missed invalidations are applied; caching resumed")]
    private static partial void LogClosed(ILogger logger);
}
