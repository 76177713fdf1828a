using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// The keys whose origin just failed while a grace copy existed: for <see cref="CacheLayerOptions.OriginFailureBackoff"/>
/// their copy answers without asking the origin again, so an origin that is down is not asked once per
/// request (FusionCache's fail-safe throttle, Varnish's sick backend). Only consulted where a current grace
/// copy exists, so an invalidation (which retires the copy) needs no say here. Bounded: past
/// <see cref="Capacity"/> keys, a failure is not remembered (its key asks the origin as before).
/// </summary>
internal sealed class OriginBackoff(IOptions<CacheLayerOptions> options, TimeProvider time)
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<CacheKey, Failure> _failures = new();
    private readonly TimeSpan _backoff = options.Value.OriginFailureBackoff;

    public void Failed(CacheKey key, StaleReason reason, int? status)
    {
        if (_backoff <= TimeSpan.Zero)
        {
            return;
        }
        if (_failures.Count >= Capacity)
        {
            Sweep();
            if (_failures.Count >= Capacity)
            {
                return;
            }
        }
        _failures[key] = new Failure(time.GetTimestamp(), reason, status);
    }

    /// <summary>The recent failure of this key's origin, if it is within the backoff.</summary>
    public bool TryGet(CacheKey key, out StaleReason reason, out int? status)
    {
        if (!_failures.IsEmpty && _failures.TryGetValue(key, out var failure))
        {
            if (time.GetElapsedTime(failure.At) < _backoff)
            {
                (reason, status) = (failure.Reason, failure.Status);
                return true;
            }
            _failures.TryRemove(KeyValuePair.Create(key, failure));
        }
        (reason, status) = (default, null);
        return false;
    }

    /// <summary>The origin answered: the key asks it as usual again.</summary>
    public void Succeeded(CacheKey key)
    {
        if (!_failures.IsEmpty)
        {
            _failures.TryRemove(key, out _);
        }
    }

    private void Sweep()
    {
        foreach (var (key, failure) in _failures)
        {
            if (time.GetElapsedTime(failure.At) >= _backoff)
            {
                _failures.TryRemove(KeyValuePair.Create(key, failure));
            }
        }
    }

    private sealed record Failure(long At, StaleReason Reason, int? Status);
}
