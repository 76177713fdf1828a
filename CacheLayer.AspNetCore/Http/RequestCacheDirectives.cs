using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// What the request asks of caches (RFC 9111 §5.2.1): <c>no-store</c> neither reads nor writes;
/// <c>no-cache</c> or <c>max-age=0</c> (or HTTP/1.0 <c>Pragma: no-cache</c>) skips the read and
/// refreshes the entry. Other directives are ignored.
/// </summary>
internal readonly record struct RequestCacheDirectives(bool NoStore, bool NoCache)
{
    public static RequestCacheDirectives From(HttpRequest request)
    {
        var cacheControl = request.Headers.CacheControl;
        if (cacheControl.Count == 0)
        {
            foreach (var pragma in request.Headers.Pragma)
            {
                if (pragma?.Contains("no-cache", StringComparison.OrdinalIgnoreCase) == true)
                {
                    return new(false, true);
                }
            }
            return default;
        }
        if (!CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var parsed))
        {
            return default;
        }
        return new(parsed.NoStore, parsed.NoCache || parsed.MaxAge == TimeSpan.Zero);
    }
}
