using CacheLayer.AspNetCore.Endpoints;

namespace CacheLayer.AspNetCore;

/// <summary>
/// Builds how one endpoint is cached: <c>.CacheResponse(policy => policy.Ttl(TimeSpan.FromMinutes(2)).Tags("users"))</c>.
/// Every setting but the TTL is optional; unset stale settings take the global ones.
/// </summary>
public sealed class CacheResponsePolicyBuilder
{
    private TimeSpan _ttl;
    private string[] _tags = [];
    private CacheVaryByHeader[] _varyByHeaders = [];
    private bool _varyByUser;
    private string[]? _varyByQuery;
    private TimeSpan? _grace;
    private TimeSpan? _staleWhileRevalidate;
    private TimeSpan? _originSoftTimeout;
    private TimeSpan? _originHardTimeout;

    /// <summary>How long a stored response is served (above zero, at most a day).</summary>
    /// <param name="ttl">The time to live.</param>
    public CacheResponsePolicyBuilder Ttl(TimeSpan ttl)
    {
        _ttl = ttl;
        return this;
    }

    /// <summary>Names writes and admins can invalidate these entries by.</summary>
    /// <param name="tags">The tags.</param>
    public CacheResponsePolicyBuilder Tags(params string[] tags)
    {
        _tags = tags;
        return this;
    }

    /// <summary>Request headers whose normalized values get their own entries.</summary>
    /// <param name="headers">The headers (a name converts implicitly).</param>
    public CacheResponsePolicyBuilder VaryByHeaders(params CacheVaryByHeader[] headers)
    {
        _varyByHeaders = headers;
        return this;
    }

    /// <summary>Each authenticated user gets their own entries; needed to cache requests with credentials.</summary>
    /// <param name="varyByUser">Whether to.</param>
    public CacheResponsePolicyBuilder VaryByUser(bool varyByUser = true)
    {
        _varyByUser = varyByUser;
        return this;
    }

    /// <summary>Query parameters that split the key besides those the handler binds; <c>"*"</c> for all.</summary>
    /// <param name="names">The parameter names.</param>
    public CacheResponsePolicyBuilder VaryByQuery(params string[] names)
    {
        _varyByQuery = names;
        return this;
    }

    /// <summary>This endpoint's own grace and origin timeouts; null keeps the global setting.</summary>
    /// <param name="grace">How long a copy stays past the TTL.</param>
    /// <param name="staleWhileRevalidate">The window in which the copy answers at once while the entry is refreshed.</param>
    /// <param name="originSoftTimeout">With a copy, how long to wait for the origin before answering with it.</param>
    /// <param name="originHardTimeout">The longest a miss waits for the origin.</param>
    public CacheResponsePolicyBuilder Stale(
        TimeSpan? grace = null, TimeSpan? staleWhileRevalidate = null, TimeSpan? originSoftTimeout = null, TimeSpan? originHardTimeout = null)
    {
        (_grace, _staleWhileRevalidate, _originSoftTimeout, _originHardTimeout) = (grace, staleWhileRevalidate, originSoftTimeout, originHardTimeout);
        return this;
    }

    /// <summary>The policy, checked; <paramref name="source"/> names where it came from in the error.</summary>
    internal CachePolicy Build(string source)
    {
        try
        {
            Check(_ttl, TimeSpan.FromTicks(1), CachePolicy.MaxTimeToLive, "ttl");
            Check(_grace, TimeSpan.Zero, CachePolicy.MaxGrace, "grace");
            Check(_staleWhileRevalidate, TimeSpan.Zero, CachePolicy.MaxGrace, "staleWhileRevalidate");
            Check(_originSoftTimeout, TimeSpan.Zero, CachePolicy.MaxOriginTimeout, "originSoftTimeout");
            if (_originHardTimeout != Timeout.InfiniteTimeSpan)
            {
                Check(_originHardTimeout, TimeSpan.FromMilliseconds(1), CachePolicy.MaxOriginTimeout, "originHardTimeout");
            }
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new InvalidOperationException($"The cache policy of {source} is not valid: {exception.Message}", exception);
        }
        var stale = _grace is null && _staleWhileRevalidate is null && _originSoftTimeout is null && _originHardTimeout is null
            ? null
            : new StaleOverrides(_grace, _staleWhileRevalidate, _originSoftTimeout, _originHardTimeout);
        return new CachePolicy(_ttl, _tags, _varyByHeaders, _varyByUser, _varyByQuery, stale);
    }

    private static void Check(TimeSpan? value, TimeSpan min, TimeSpan max, string name)
    {
        if (value is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(given, min, name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(given, max, name);
        }
    }
}
