using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Api.Caching;

/// <summary><c>X-Cache</c>, RFC 9211 <c>Cache-Status</c> and, on hits, <c>Age</c>.</summary>
public static class CacheHeaders
{
    public const string XCache = "X-Cache";
    public const string CacheStatus = "Cache-Status";
    private const string CacheName = "CacheLayer";

    public static void Hit(HttpResponse response, CacheEntry entry, DateTimeOffset now)
    {
        response.Headers[XCache] = "HIT";
        response.Headers[CacheStatus] = $"{CacheName}; hit; ttl={Seconds(entry.TimeToLive(now))}";
        response.Headers.Age = Seconds(entry.Age(now)).ToString(CultureInfo.InvariantCulture);
    }

    public static void Miss(HttpResponse response, bool stored, bool storeFailed)
    {
        response.Headers[XCache] = "MISS";
        response.Headers[CacheStatus] = (stored, storeFailed) switch
        {
            (true, _) => $"{CacheName}; fwd=miss; stored",
            (false, true) => $"{CacheName}; fwd=miss; detail=store-unavailable",
            _ => $"{CacheName}; fwd=miss",
        };
    }

    /// <summary>A miss answered by an identical request's origin call (RFC 9211 <c>collapsed</c>).</summary>
    public static void Collapsed(HttpResponse response)
    {
        response.Headers[XCache] = "MISS";
        response.Headers[CacheStatus] = $"{CacheName}; fwd=miss; collapsed";
    }

    public static void Bypass(HttpResponse response, string reason)
    {
        response.Headers[XCache] = "BYPASS";
        response.Headers[CacheStatus] = reason == "requested"
            ? $"{CacheName}; fwd=bypass"
            : $"{CacheName}; fwd=bypass; detail={reason}";
    }

    private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;
}
