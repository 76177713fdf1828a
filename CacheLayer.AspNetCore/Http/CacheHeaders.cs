using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Storage;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// What the cache tells the client: <c>X-Cache</c>, RFC 9211 <c>Cache-Status</c>, <c>Age</c> on hits,
/// and on 200s the validator (<c>ETag</c>) with <c>Cache-Control: no-cache</c>, so browsers and proxies
/// may keep a copy but must revalidate it (cheaply, with a 304) before each use: a body the API has
/// invalidated is never served from downstream. The same outcome goes on the request's trace span, as
/// <c>cachelayer.cache.status</c> (hit, miss, collapsed, bypass, stale) and, where a copy answered,
/// <c>cachelayer.cache.tier</c> (memory, redis).
/// </summary>
internal static class CacheHeaders
{
    public const string XCache = "X-Cache";
    public const string CacheStatus = "Cache-Status";
    private const string CacheName = "CacheLayer";

    public static void Hit(HttpResponse response, CacheEntry entry, DateTimeOffset now, CacheTier from)
    {
        response.Headers[XCache] = "HIT";
        Trace(response, "hit", from.Name());
        var ttl = Seconds(entry.TimeToLive(now));
        response.Headers[CacheStatus] = from == CacheTier.Memory
            ? $"{CacheName}; hit; ttl={ttl}; detail=memory"
            : $"{CacheName}; hit; ttl={ttl}";
        response.Headers.Age = Seconds(entry.Age(now)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A grace copy answered: <c>X-Cache: STALE</c>, a negative <c>ttl</c> (seconds since it expired), an honest
    /// <c>Age</c>, <c>fwd=stale</c> when this request asked the origin, and its status when it answered a 5xx.
    /// </summary>
    public static void Stale(HttpResponse response, CacheEntry entry, DateTimeOffset now, StaleReason reason, int? originStatus, bool forwarded)
    {
        response.Headers[XCache] = "STALE";
        Trace(response, "stale", CacheTier.Redis.Name());
        // Floored, so a copy a fraction of a second past its expiry reads ttl=-1, never 0.
        var ttl = (long)Math.Floor((entry.ExpiresAt - now).TotalSeconds);
        var status = $"{CacheName}; hit; ttl={ttl.ToString(CultureInfo.InvariantCulture)}";
        if (forwarded && reason != StaleReason.WhileRevalidate)
        {
            status += "; fwd=stale";
        }
        if (forwarded && originStatus is { } code)
        {
            status += "; fwd-status=" + code.ToString(CultureInfo.InvariantCulture);
        }
        response.Headers[CacheStatus] = status + "; detail=" + reason.Detail();
        response.Headers.Age = Seconds(entry.Age(now)).ToString(CultureInfo.InvariantCulture);
    }

    public static void Miss(HttpResponse response, CacheForward forward, bool stored, CacheMissDetail detail)
    {
        response.Headers[XCache] = "MISS";
        Trace(response, "miss", null);
        var status = forward switch
        {
            CacheForward.Request => $"{CacheName}; fwd=request",
            CacheForward.Stale => $"{CacheName}; fwd=stale",
            _ => $"{CacheName}; fwd=miss",
        };
        if (stored)
        {
            status += "; stored";
        }
        if (detail.Name() is { } name)
        {
            status += "; detail=" + name;
        }
        response.Headers[CacheStatus] = status;
    }

    /// <summary>A miss answered by an identical request's origin call (RFC 9211 <c>collapsed</c>).</summary>
    public static void Collapsed(HttpResponse response, CacheForward forward = CacheForward.Miss)
    {
        response.Headers[XCache] = "MISS";
        Trace(response, "collapsed", null);
        response.Headers[CacheStatus] = forward == CacheForward.Stale ? $"{CacheName}; fwd=stale; collapsed" : $"{CacheName}; fwd=miss; collapsed";
    }

    public static void Bypass(HttpResponse response, CacheBypassReason reason)
    {
        response.Headers[XCache] = "BYPASS";
        Trace(response, "bypass", null);
        response.Headers[CacheStatus] = reason == CacheBypassReason.Requested
            ? $"{CacheName}; fwd=bypass"
            : $"{CacheName}; fwd=bypass; detail={reason.Name()}";
    }

    /// <summary>Validator and freshness for a 200; a handler's own Cache-Control wins, on hits too.</summary>
    public static void Validators(HttpResponse response, CacheEntry answer, CachePolicy policy, bool privateRequest)
    {
        if (answer.StatusCode != StatusCodes.Status200OK)
        {
            return;
        }
        response.Headers.ETag = answer.ETag;
        if (answer.CacheControl is { } handlers)
        {
            response.Headers.CacheControl = handlers;
        }
        else if (response.Headers.CacheControl.Count == 0)
        {
            response.Headers.CacheControl = policy.VaryByUser || privateRequest ? "private, no-cache" : "no-cache";
        }
        if (policy.VaryByHeaders.Count > 0)
        {
            response.Headers.Append(HeaderNames.Vary, policy.VaryHeader);
        }
    }

    /// <summary>On the request's own span (the server's, not whatever <c>Activity.Current</c> is), when it is recorded.</summary>
    internal static void Trace(HttpResponse response, string status, string? tier)
    {
        if (response.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } span)
        {
            span.SetTag("cachelayer.cache.status", status);
            span.SetTag("cachelayer.cache.tier", tier);
        }
    }

    private static long Seconds(TimeSpan span) => span > TimeSpan.Zero ? (long)span.TotalSeconds : 0;
}
