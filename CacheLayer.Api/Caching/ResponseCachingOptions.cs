using System.ComponentModel.DataAnnotations;

namespace CacheLayer.Api.Caching;

/// <summary>Settings of the response-caching layer, bound from the <c>CacheLayer</c> section.</summary>
public sealed class ResponseCachingOptions
{
    public const string SectionName = "CacheLayer";

    /// <summary>Prepended to every Redis key the layer writes, e.g. <c>myapp:</c>.</summary>
    [MaxLength(128)]
    public string KeyPrefix { get; set; } = "";

    /// <summary>Longest a single cache-store call may take before the request goes to the origin instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often, while the store is failing, a background probe checks whether it answers again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a request waits for an identical request already asking the origin before asking it itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CollapseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest cache key, in characters; longer requests are served uncached (and counted as bypasses).</summary>
    [Range(32, 65_536)]
    public int MaxKeyLength { get; set; } = 1024;

    /// <summary>Invalidations remembered while the store is unreachable; beyond this, everything is invalidated on recovery.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingInvalidations { get; set; } = 10_000;

    /// <summary>How many distinct keys the in-memory top-keys table tracks.</summary>
    [Range(1, 100_000)]
    public int TopKeysCapacity { get; set; } = 1000;
}
