using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Policies;

namespace CacheLayer.AspNetCore;

/// <summary>
/// Caches this GET action's (or minimal-API handler's) 200 responses, as <c>.CacheResponse</c> does:
/// <c>[CacheResponse(120, Tags = ["items"])]</c>, or a named policy, <c>[CacheResponse(Policy = "items")]</c>.
/// Needs <c>app.UseCacheLayer()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class CacheResponseAttribute : Attribute, ICachePolicySource
{
    /// <summary>Caches for <paramref name="ttlSeconds"/> seconds.</summary>
    /// <param name="ttlSeconds">How long a stored response is served, in seconds (at most a day).</param>
    public CacheResponseAttribute(int ttlSeconds) => TtlSeconds = ttlSeconds;

    /// <summary>Caches as the named <see cref="Policy"/> says.</summary>
    public CacheResponseAttribute()
    {
    }

    /// <summary>How long a stored response is served, in seconds; 0 with a <see cref="Policy"/>: the policy's.</summary>
    public int TtlSeconds { get; }

    /// <summary>Names writes and admins can invalidate these entries by.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Request headers whose normalized values get their own entries (see <see cref="CacheVaryByHeader"/>).</summary>
    public string[] VaryByHeaders { get; set; } = [];

    /// <summary>Each authenticated user gets their own entries; needed to cache requests with credentials.</summary>
    public bool VaryByUser { get; set; }

    /// <summary>Query parameters that split the key besides those the action binds; <c>"*"</c> for all.</summary>
    public string[]? VaryByQuery { get; set; }

    /// <summary>A policy of <c>CacheLayer:Policies</c>; the attribute's own settings, where given, override it.</summary>
    public string? Policy { get; set; }

    /// <summary>Seconds a copy stays past the TTL to answer when the origin fails; -1 (the default): the global setting.</summary>
    public int GraceSeconds { get; set; } = -1;

    /// <summary>Seconds past the TTL in which the copy answers at once while the entry is refreshed; -1: the global setting.</summary>
    public int StaleWhileRevalidateSeconds { get; set; } = -1;

    CachePolicy ICachePolicySource.Resolve(CacheLayerOptions options, string endpoint)
    {
        var named = Policy is { } name ? NamedCachePolicy.Lookup(options, name, endpoint) : null;
        if (named is null && TtlSeconds <= 0)
        {
            throw new InvalidOperationException($"[CacheResponse] on '{endpoint}' needs a TTL in seconds above 0, or a Policy.");
        }
        var builder = new CacheResponsePolicyBuilder()
            .Ttl(TtlSeconds > 0 ? TimeSpan.FromSeconds(TtlSeconds) : named!.Ttl)
            .Tags(Tags.Length > 0 ? Tags : named?.Tags ?? [])
            .VaryByHeaders([.. (VaryByHeaders.Length > 0 ? VaryByHeaders : named?.VaryByHeaders ?? []).Select(CacheVaryByHeader.FromString)])
            .VaryByUser(VaryByUser || named?.VaryByUser == true);
        if ((VaryByQuery ?? named?.VaryByQuery) is { } query)
        {
            builder.VaryByQuery(query);
        }
        builder.Stale(
            GraceSeconds >= 0 ? TimeSpan.FromSeconds(GraceSeconds) : named?.Grace,
            StaleWhileRevalidateSeconds >= 0 ? TimeSpan.FromSeconds(StaleWhileRevalidateSeconds) : named?.StaleWhileRevalidate,
            named?.OriginSoftTimeout,
            named?.OriginHardTimeout);
        return builder.Build($"'{endpoint}'");
    }
}

/// <summary>
/// On success (2xx), invalidates each key template, e.g. <c>"GET:/api/items/{id}"</c>, with its parameters taken
/// from this action's route values or bound query and header parameters, and all its variants.
/// </summary>
/// <param name="keyTemplates">Templates of the paths the action changes.</param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class InvalidatesCacheAttribute(params string[] keyTemplates) : Attribute, ICacheInvalidationSource
{
    /// <summary>Templates of the paths the action changes.</summary>
    public IReadOnlyList<string> KeyTemplates { get; } = keyTemplates;

    IReadOnlyList<string> ICacheInvalidationSource.Tags => [];
}

/// <summary>On success (2xx), invalidates every entry carrying one of <paramref name="tags"/>.</summary>
/// <param name="tags">Tags given to <c>CacheResponse</c> on the endpoints this one changes.</param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class InvalidatesCacheTagsAttribute(params string[] tags) : Attribute, ICacheInvalidationSource
{
    /// <summary>The tags invalidated.</summary>
    public IReadOnlyList<string> Tags { get; } = tags;

    IReadOnlyList<string> ICacheInvalidationSource.KeyTemplates => [];
}
