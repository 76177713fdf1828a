using CacheLayer.AspNetCore.Endpoints;

namespace CacheLayer.AspNetCore.Policies;

/// <summary>Endpoint metadata naming a policy of <see cref="CacheLayerOptions.Policies"/> (<c>.CacheResponse("users")</c>).</summary>
internal sealed record NamedCachePolicy(string Name) : ICachePolicySource
{
    public CachePolicy Resolve(CacheLayerOptions options, string endpoint) => Lookup(options, Name, endpoint).ToPolicy(Name);

    public static CacheLayerPolicyOptions Lookup(CacheLayerOptions options, string name, string endpoint) =>
        options.Policies.TryGetValue(name, out var policy)
            ? policy
            : throw new InvalidOperationException(
                $"The cached endpoint '{endpoint}' uses the cache policy '{name}', which is not defined: add it under " +
                $"{CacheLayerOptions.SectionName}:{nameof(CacheLayerOptions.Policies)}:{name} (at least Ttl) or in AddCacheLayer's configure.");
}
