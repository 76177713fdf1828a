namespace CacheLayer.AppHost;

/// <summary>The <c>Prometheus</c> and <c>Grafana</c> settings: <c>auto</c> (the default) runs it when the machine can, <c>off</c> never.</summary>
internal static class MonitoringMode
{
    /// <returns>True for <c>auto</c> or nothing, false for <c>off</c>.</returns>
    public static bool IsAuto(string key, string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => true,
        "off" => false,
        _ => throw new InvalidOperationException($"{key}='{value}' is not one of: auto, off."),
    };
}
