using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// Identical misses of an origin-directed URL share one origin call: the first leads, the others wait up to
/// <see cref="CacheLayerOptions.CollapseTimeout"/> for what it stores, and answer with it when its <c>Vary</c>
/// matches them and it may answer them fresh (RFC 9211 <c>collapsed</c>); otherwise, or when the leader's answer
/// may not be stored, each asks the origin itself. An invalidation forgets the call in flight, as for declared endpoints.
/// </summary>
internal sealed class OriginMissCollapsing(Inflight<CacheEntry> misses, CacheStatistics statistics, CacheMetrics metrics, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private readonly TimeSpan _timeout = options.Value.CollapseTimeout;

    /// <summary>True when this request leads (then it must <see cref="End"/>); else <paramref name="leader"/> is the call to wait on.</summary>
    public bool TryLead(OriginRequest request, out TaskCompletionSource<CacheEntry> leader) => misses.TryLead(request.Key, out leader);

    /// <summary>Ends the lead: the followers get <paramref name="shared"/>, or ask the origin themselves when it is null.</summary>
    public void End(OriginRequest request, TaskCompletionSource<CacheEntry> leader, CacheEntry? shared)
    {
        if (shared is not null)
        {
            misses.Complete(request.Key, leader, shared);
        }
        else
        {
            misses.Fail(request.Key, leader, new InvalidOperationException("The origin's answer may not be shared."));
        }
    }

    /// <summary>Answers with the leader's stored response; false when there is none this request may have.</summary>
    public async Task<bool> FollowAsync(OriginRequest request, TaskCompletionSource<CacheEntry> leader, ClientConditions conditions, bool actAsCdn)
    {
        CacheEntry shared;
        try
        {
            shared = await leader.Task.WaitAsync(_timeout, time);
        }
        catch (Exception)
        {
            return false;
        }
        var stored = StoredHttpResponse.Of(shared, actAsCdn);
        var now = time.GetUtcNow();
        var http = request.Http.Request;
        if (!stored.Matches(http) || stored.NoCache || shared.ExpiresAt <= now
            || (http.Headers.Authorization.Count > 0 && !stored.SharedDespiteAuthorization))
        {
            return false;
        }
        statistics.Hit(request.Key);
        metrics.Collapsed(request.Route);
        await StoredResponseWriter.WriteStoredAsync(request.Http, shared, stored, conditions, now, "MISS", OriginCacheStatus.Collapsed());
        return true;
    }
}
