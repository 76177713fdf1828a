namespace CacheLayer.AspNetCore;

/// <summary>
/// How endpoints marked <c>.CacheFromOrigin()</c> (the gateway's proxied routes) are cached: by the origin's own
/// headers, as a shared cache under RFC 9111. Bound from <c>CacheLayer:OriginDirected</c>.
/// </summary>
public sealed class CacheLayerOriginDirectedOptions
{
    /// <summary>
    /// Act as a CDN: honour <c>CDN-Cache-Control</c> (RFC 9213) over <c>Cache-Control</c> for freshness and storing.
    /// Off by default: a plain reverse proxy is not the CDN that header targets.
    /// </summary>
    public bool ActAsCdn { get; set; }

    /// <summary>
    /// Heuristic freshness (RFC 9111 §4.2.2): a response with no explicit freshness but a <c>Last-Modified</c>
    /// is fresh for this fraction of its age when it was produced (e.g. <c>0.1</c>). Zero (the default): off,
    /// so such a response is stored only when it has a validator, and revalidated on every use.
    /// </summary>
    public double HeuristicFraction { get; set; }

    /// <summary>
    /// How long a response with a validator (<c>ETag</c> or <c>Last-Modified</c>) is kept past its freshness,
    /// to be revalidated with a conditional request instead of fetched again; it is also the longest
    /// <c>stale-while-revalidate</c> or <c>stale-if-error</c> honoured.
    /// </summary>
    public TimeSpan KeepStale { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Longest an origin's response is stored, however long its freshness; at most a day.</summary>
    public TimeSpan MaxTimeToLive { get; set; } = TimeSpan.FromDays(1);
}
