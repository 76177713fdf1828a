using CacheLayer.AspNetCore.Endpoints;

namespace CacheLayer.AspNetCore.Policies;

/// <summary>
/// Endpoint metadata that says how the endpoint is cached: a policy given in code (<see cref="CachePolicy"/>),
/// a named policy from configuration (<see cref="NamedCachePolicy"/>) or the <see cref="CacheResponseAttribute"/>.
/// Resolved once per endpoint, at start-up.
/// </summary>
internal interface ICachePolicySource
{
    /// <summary>The policy; throws <see cref="InvalidOperationException"/> naming <paramref name="endpoint"/> when it cannot be made.</summary>
    CachePolicy Resolve(CacheLayerOptions options, string endpoint);
}

/// <summary>Endpoint metadata that says what a successful write invalidates: path templates and tags.</summary>
internal interface ICacheInvalidationSource
{
    IReadOnlyList<string> KeyTemplates { get; }

    IReadOnlyList<string> Tags { get; }
}
