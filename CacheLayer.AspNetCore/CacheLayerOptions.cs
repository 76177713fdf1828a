namespace CacheLayer.AspNetCore;

/// <summary>Settings of the cache layer, bound from the <c>CacheLayer</c> configuration section.</summary>
public sealed class CacheLayerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "CacheLayer";

    /// <summary>Prepended to every Redis key the layer writes, e.g. <c>myapp:</c>.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// The key <c>X-Api-Key</c> must carry on the routes of <c>MapCacheLayerAdmin</c>, compared in fixed
    /// time. None (the default) closes those routes to everyone.
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Longest a single cache-store call may take before the request goes to the origin instead.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often, while the store is failing, a background probe checks whether it answers again.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a request waits for an identical request already asking the origin before asking it itself.</summary>
    public TimeSpan CollapseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest cache key, in characters; longer requests are served uncached (and counted as bypasses).</summary>
    public int MaxKeyLength { get; set; } = 1024;

    /// <summary>
    /// Most entries (query and header variants, the plain path included) stored per path. A new variant
    /// beyond it is served from the origin uncached (<c>BYPASS</c>, <c>detail=variant-limit</c>); the plain
    /// path and variants already stored are always stored, and expired variants do not count.
    /// </summary>
    public int MaxVariantsPerPath { get; set; } = 1000;

    /// <summary>Invalidations remembered while the store is unreachable; beyond this, everything is invalidated on recovery.</summary>
    public int MaxPendingInvalidations { get; set; } = 10_000;

    /// <summary>How many distinct keys the in-memory top-keys table tracks.</summary>
    public int TopKeysCapacity { get; set; } = 1000;

    /// <summary>The in-process copy of hot entries in front of Redis (<c>CacheLayer:MemoryTier</c>).</summary>
    public CacheLayerMemoryTierOptions MemoryTier { get; set; } = new();
}
