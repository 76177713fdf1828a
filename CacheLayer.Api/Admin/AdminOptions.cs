namespace CacheLayer.Api.Admin;

/// <summary>Bound from the <c>CacheLayer</c> section. No key configured means admin routes refuse everyone.</summary>
public sealed class AdminOptions
{
    public string? AdminApiKey { get; set; }
}
