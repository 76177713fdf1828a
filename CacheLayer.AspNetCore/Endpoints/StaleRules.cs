namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// When an endpoint answers from a grace copy: the endpoint's own settings over the global ones. A soft
/// timeout at or past the hard one never applies; a stale-while-revalidate window never outlasts the grace.
/// </summary>
internal sealed record StaleRules(TimeSpan Grace, TimeSpan StaleWhileRevalidate, TimeSpan OriginSoftTimeout, TimeSpan OriginHardTimeout)
{
    public static StaleRules Of(CachePolicy policy, CacheLayerOptions options)
    {
        var grace = policy.Stale?.Grace ?? options.Grace;
        var window = policy.Stale?.StaleWhileRevalidate ?? options.StaleWhileRevalidate;
        var hard = policy.Stale?.OriginHardTimeout ?? options.OriginHardTimeout;
        var soft = policy.Stale?.OriginSoftTimeout ?? options.OriginSoftTimeout;
        return new StaleRules(grace, window < grace ? window : grace, hard == Timeout.InfiniteTimeSpan || soft < hard ? soft : hard, hard);
    }

    public bool KeepsCopies => Grace > TimeSpan.Zero;
}
