using CacheLayer.AspNetCore.Endpoints;

namespace CacheLayer.AspNetCore;

/// <summary>
/// A named cache policy, bound from <c>CacheLayer:Policies:{name}</c> (so an operator can change a TTL without
/// a rebuild) or set in code, and used as <c>.CacheResponse("name")</c> or <c>[CacheResponse(Policy = "name")]</c>.
/// Unset durations take the global settings.
/// </summary>
public sealed class CacheLayerPolicyOptions
{
    /// <summary>How long a stored response is served (required; at most a day).</summary>
    public TimeSpan Ttl { get; set; }

    /// <summary>Names writes and admins can invalidate these entries by.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Request headers whose normalized values get their own entries (see <see cref="CacheVaryByHeader"/>).</summary>
    public string[] VaryByHeaders { get; set; } = [];

    /// <summary>Query parameters that split the key besides those the handler binds; <c>"*"</c> for all.</summary>
    public string[]? VaryByQuery { get; set; }

    /// <summary>Each authenticated user gets their own entries.</summary>
    public bool VaryByUser { get; set; }

    /// <summary>How long a copy stays past the TTL to answer when the origin fails; default <c>CacheLayer:Grace</c>.</summary>
    public TimeSpan? Grace { get; set; }

    /// <summary>The stale-while-revalidate window; default <c>CacheLayer:StaleWhileRevalidate</c>.</summary>
    public TimeSpan? StaleWhileRevalidate { get; set; }

    /// <summary>With a copy, how long to wait for the origin; default <c>CacheLayer:OriginSoftTimeout</c>.</summary>
    public TimeSpan? OriginSoftTimeout { get; set; }

    /// <summary>The longest a miss waits for the origin; default <c>CacheLayer:OriginHardTimeout</c>.</summary>
    public TimeSpan? OriginHardTimeout { get; set; }

    internal CachePolicy ToPolicy(string name)
    {
        var builder = new CacheResponsePolicyBuilder().Ttl(Ttl).Tags(Tags).VaryByUser(VaryByUser)
            .VaryByHeaders([.. VaryByHeaders.Select(CacheVaryByHeader.FromString)]);
        if (VaryByQuery is not null)
        {
            builder.VaryByQuery(VaryByQuery);
        }
        builder.Stale(Grace, StaleWhileRevalidate, OriginSoftTimeout, OriginHardTimeout);
        return builder.Build($"{CacheLayerOptions.SectionName}:{nameof(CacheLayerOptions.Policies)}:{name}");
    }
}
