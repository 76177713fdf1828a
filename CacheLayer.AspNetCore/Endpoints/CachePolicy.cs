using CacheLayer.AspNetCore.Policies;
using CacheLayer.AspNetCore.Keys;
namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>How one GET endpoint is cached; also its endpoint metadata.</summary>
/// <param name="TimeToLive">How long a stored 200 response is served.</param>
/// <param name="Tags">Names a write or an admin can invalidate the endpoint's entries by.</param>
/// <param name="VaryByHeaders">Request headers whose normalized values split the key (e.g. <c>Accept-Language</c>).</param>
/// <param name="VaryByUser">
/// Each authenticated user gets their own entry, keyed by a hash of their identity. Without it,
/// requests carrying credentials (<c>Authorization</c> or a cookie) are never cached.
/// </param>
/// <param name="VaryByQuery">
/// Query parameters that split the key besides those the handler binds; <c>"*"</c> for all. Null when
/// not declared, which a handler reading the request itself is not allowed.
/// </param>
/// <param name="Stale">The endpoint's own grace and origin timeouts; null ones are the global settings'.</param>
internal sealed record CachePolicy(
    TimeSpan TimeToLive, IReadOnlyList<string> Tags, IReadOnlyList<CacheVaryByHeader> VaryByHeaders, bool VaryByUser,
    IReadOnlyList<string>? VaryByQuery = null, StaleOverrides? Stale = null) : ICachePolicySource
{
    public CachePolicy Resolve(CacheLayerOptions options, string endpoint) => this;

    /// <summary>The longest TTL an endpoint may ask for.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(1);

    /// <summary>The longest grace (and stale-while-revalidate window) an endpoint may ask for.</summary>
    public static readonly TimeSpan MaxGrace = TimeSpan.FromDays(1);

    /// <summary>The longest soft or hard origin timeout.</summary>
    public static readonly TimeSpan MaxOriginTimeout = TimeSpan.FromHours(1);

    /// <summary>How long bookkeeping that outlives entries and their grace copies is kept.</summary>
    public static readonly TimeSpan MaxRetention = MaxTimeToLive + MaxGrace;

    /// <summary>The <c>Vary</c> response header these variants call for, built once.</summary>
    public string VaryHeader { get; } = string.Join(", ", VaryByHeaders.Select(header => header.Name));

    /// <summary>The varied headers with their names as they appear in keys: ASCII lower case, in ordinal order; built once.</summary>
    /// <remarks>An array, so the hit path's <c>foreach</c> over it allocates no enumerator.</remarks>
    public (CacheVaryByHeader Header, string KeyName)[] VaryKeyNames { get; } =
        [.. VaryByHeaders.Select(header => (header, CacheKeyQueryNames.AsciiLower(header.Name))).OrderBy(pair => pair.Item2, StringComparer.Ordinal)];

    /// <summary>The query parameters that split keys when the handler's own are not known (no endpoint metadata): the declared ones.</summary>
    public CacheKeyQueryNames DeclaredQuery { get; } = CacheKeyQueryNames.Of(Array.Empty<string>(), VaryByQuery);
}

/// <summary>An endpoint's own stale settings, as given to <c>CacheResponse</c>; null: the global setting.</summary>
internal sealed record StaleOverrides(TimeSpan? Grace, TimeSpan? StaleWhileRevalidate, TimeSpan? OriginSoftTimeout, TimeSpan? OriginHardTimeout);
