namespace CacheLayer.AspNetCore.Admin;

/// <summary>Whose statistics <c>/metrics/cache</c> reports: <c>?scope=deployment</c> (the default) or <c>?scope=process</c>.</summary>
internal enum CacheStatisticsScope
{
    Deployment,
    Process,
}

internal static class CacheStatisticsScopes
{
    /// <summary>The scope a query value names; none (absent or empty) is the deployment, anything else unknown.</summary>
    public static CacheStatisticsScope? Parse(string? value) => value switch
    {
        null or "" => CacheStatisticsScope.Deployment,
        _ when value.Equals("deployment", StringComparison.OrdinalIgnoreCase) => CacheStatisticsScope.Deployment,
        _ when value.Equals("process", StringComparison.OrdinalIgnoreCase) => CacheStatisticsScope.Process,
        _ => null,
    };
}
