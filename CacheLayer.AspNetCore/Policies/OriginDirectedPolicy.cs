namespace CacheLayer.AspNetCore.Policies;

/// <summary>Endpoint metadata: the endpoint's responses are cached as their own headers say (RFC 9111).</summary>
internal sealed class OriginDirectedPolicy
{
    public static readonly OriginDirectedPolicy Instance = new();

    private OriginDirectedPolicy()
    {
    }
}
