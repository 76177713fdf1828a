using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// Whether the cache store is considered down. It opens on the first failed call, after which
/// requests skip the store entirely instead of each waiting for a timeout; only
/// <see cref="CacheRecoveryService"/> closes it, once the store answers again.
/// </summary>
internal sealed partial class CacheCircuit
{
    private readonly Lock _lock = new();
    private readonly CacheMetrics _metrics;
    private readonly ILogger<CacheCircuit> _logger;
    private volatile bool _open;

    public CacheCircuit(CacheMetrics metrics, ILogger<CacheCircuit> logger)
    {
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveCircuit(() => _open);
    }

    public bool IsOpen => _open;

    /// <summary>Called when a store call failed or timed out.</summary>
    public void Open(string operation, Exception reason)
    {
        if (TryOpen())
        {
            LogOpened(_logger, reason, operation);
        }
    }

    /// <summary>Called when the store missed an invalidation: it stays unread until the invalidation is applied.</summary>
    public void Open(CacheInvalidation missed)
    {
        if (TryOpen())
        {
            LogOpenedByInvalidation(_logger, missed.ToString());
        }
    }

    /// <summary>
    /// Closes the circuit if <paramref name="mayClose"/> still holds; true when closed. Opening waits for
    /// this check, so whatever made <paramref name="mayClose"/> false before an <see cref="Open(CacheInvalidation)"/>
    /// is seen, or the circuit opens again right after.
    /// </summary>
    public bool TryClose(Func<bool> mayClose)
    {
        lock (_lock)
        {
            if (!_open)
            {
                return true;
            }
            if (!mayClose())
            {
                return false;
            }
            _open = false;
        }
        _metrics.CircuitTransition(open: false);
        LogClosed(_logger);
        return true;
    }

    private bool TryOpen()
    {
        lock (_lock)
        {
            if (_open)
            {
                return false;
            }
            _open = true;
        }
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
