using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.Api.Caching;

/// <summary>
/// What the cache tells the client: <c>X-Cache</c>, RFC 9211 <c>Cache-Status</c>, <c>Age</c> on hits,
/// and on 200s the validator (<c>ETag</c>) with <c>Cache-Control: no-cache</c>, so browsers and proxies
/// may keep a copy but must revalidate it (cheaply, with a 304) before each use: a body the API has
/// invalidated is never served from downstream.
/// </summary>
public static class CacheHeaders
{
    public const string XCache = "X-Cache";
    public const string CacheStatus = "Cache-Status";
    private const string CacheName = "CacheLayer";

    public static void Hit(HttpResponse response, CacheEntry entry, DateTimeOffset now, CacheTier from)
    {
        response.Headers[XCache] = "HIT";
        var ttl = Seconds(entry.TimeToLive(now));
        response.Headers[CacheStatus] = from == CacheTier.Memory
            ? $"{CacheName}; hit; ttl={ttl}; detail=memory"
            : $"{CacheName}; hit; ttl={ttl}";
        response.Headers.Age = Seconds(entry.Age(now)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A miss; <paramref name="forward"/> is RFC 9211's reason: <c>miss</c>, or <c>request</c> when the client asked for a refresh.</summary>
    public static void Miss(HttpResponse response, bool stored, string? detail = null, string forward = "miss")
    {
        response.Headers[XCache] = "MISS";
        response.Headers[CacheStatus] = $"{CacheName}; fwd={forward}" + (stored ? "; stored" : "") + (detail is null ? "" : $"; detail={detail}");
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

    /// <summary>Validator and freshness for a 200, unless the handler chose its own Cache-Control.</summary>
    public static void Validators(HttpResponse response, CachedResponse cached, CachePolicy policy, bool privateRequest)
    {
        if (cached.StatusCode != StatusCodes.Status200OK)
        {
            return;
        }
        response.Headers.ETag = cached.ETag;
        if (response.Headers.CacheControl.Count == 0)
        {
            response.Headers.CacheControl = policy.VaryByUser || privateRequest ? "private, no-cache" : "no-cache";
        }
        if (policy.VaryByHeaders.Count > 0)
        {
            response.Headers.Append(HeaderNames.Vary, policy.VaryHeader);
        }
    }

    private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;
}
