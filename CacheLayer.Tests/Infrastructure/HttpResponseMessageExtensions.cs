namespace CacheLayer.Tests.Infrastructure;

internal static class HttpResponseMessageExtensions
{
    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : null;

    public static string? XCache(this HttpResponseMessage response) => response.Header("X-Cache");

    public static string? CacheStatus(this HttpResponseMessage response) => response.Header("Cache-Status");

    /// <summary>The tier a hit was served from, as the <c>cachelayer_tier</c> label names it: <c>memory</c> or <c>redis</c>.</summary>
    public static string HitTier(this HttpResponseMessage response) =>
        response.XCache() != "HIT" ? throw new InvalidOperationException($"Not a hit: {response.CacheStatus()}")
        : response.CacheStatus()!.EndsWith("; detail=memory", StringComparison.Ordinal) ? "memory"
        : "redis";
}
