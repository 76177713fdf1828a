using System.ComponentModel.DataAnnotations;

namespace CacheLayer.Api.Demo;

/// <summary>
/// How long the demo's GET routes stay cached, bound from <c>Demo:Ttl</c> as TimeSpans
/// (<c>hh:mm:ss</c>, e.g. <c>00:02:00</c>), from 1 second to 1 day; checked at start.
/// </summary>
public sealed class DemoTtlOptions
{
    public const string SectionName = "Demo:Ttl";

    private const string Min = "00:00:01";
    private const string Max = "1.00:00:00";

    /// <summary><c>Demo:Ttl:Users</c>: <c>GET /api/users/{id}</c>; 2 minutes unless set.</summary>
    [Range(typeof(TimeSpan), Min, Max, ParseLimitsInInvariantCulture = true,
        ErrorMessage = "Demo:Ttl:Users must be a TimeSpan from 00:00:01 to 1.00:00:00 (e.g. 00:02:00).")]
    public TimeSpan Users { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary><c>Demo:Ttl:Posts</c>: <c>GET /api/posts/</c>; 90 seconds unless set.</summary>
    [Range(typeof(TimeSpan), Min, Max, ParseLimitsInInvariantCulture = true,
        ErrorMessage = "Demo:Ttl:Posts must be a TimeSpan from 00:00:01 to 1.00:00:00 (e.g. 00:01:30).")]
    public TimeSpan Posts { get; set; } = TimeSpan.FromSeconds(90);
}
