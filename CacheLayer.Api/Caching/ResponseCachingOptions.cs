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

    /// <summary>How many distinct keys the in-memory top-keys table tracks.</summary>
    [Range(1, 100_000)]
    public int TopKeysCapacity { get; set; } = 1000;
}
