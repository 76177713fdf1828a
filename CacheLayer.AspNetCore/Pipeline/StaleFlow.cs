using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// A miss that found the entry's grace copy (RFC 5861). The origin is asked in a refresh of its own, once per
/// key: within the stale-while-revalidate window the copy answers at once, later the request waits up to the
/// soft timeout. Either way the refresh goes on without the client and stores the origin's answer. A throw, a
/// 5xx or the hard timeout answers with the copy too, and so does a key whose origin failed moments ago.
/// </summary>
internal sealed class StaleFlow(Inflight<CacheEntry> misses, OriginBackoff backoff, Refreshes refreshes, CachedAnswers answers, MemoryTier tier, TimeProvider time)
{
    public async Task WithCopyAsync(CacheRequest request, CacheEntry copy, CacheGenerations generations)
    {
        var now = time.GetUtcNow();
        if (copy.ExpiresAt > now)
        {
            // Stored afresh since the lookup: the copy is the new entry's.
            tier.Set(request.Key, copy, request.Policy.Tags, request.Epoch);
            await answers.HitAsync(request, copy, CacheTier.Redis);
            return;
        }
        if (backoff.TryGet(request.Key, out var failure, out var failedStatus))
        {
            // The origin failed for this key moments ago: not asked again yet.
            await answers.StaleAsync(request, copy, failure, failedStatus, forwarded: false);
            return;
        }
        var stale = request.Stale;
        var revalidate = now - copy.ExpiresAt <= stale.StaleWhileRevalidate;
        if (!misses.TryLead(request.Key, out var leader))
        {
            await (revalidate ? answers.StaleAsync(request, copy, StaleReason.WhileRevalidate) : FollowWithCopyAsync(request, copy, leader));
            return;
        }
        if (refreshes.Start(request, leader, generations) is not { } refreshed)
        {
            // As many refreshes as allowed run: the copy answers, a later request refreshes.
            await answers.StaleAsync(request, copy, StaleReason.WhileRevalidate, forwarded: false);
            return;
        }
        try
        {
            await refreshed.WaitAsync(revalidate ? TimeSpan.Zero : stale.OriginSoftTimeout, time);
        }
        catch (TimeoutException)
        {
            // The refresh goes on without the client.
            await answers.StaleAsync(request, copy, revalidate ? StaleReason.WhileRevalidate
                : stale.OriginSoftTimeout >= stale.OriginHardTimeout ? StaleReason.OriginTimeout : StaleReason.SoftTimeout);
            return;
        }
        var outcome = await refreshed;
        if (outcome.Failure is { } reason)
        {
            await answers.StaleAsync(request, copy, reason, outcome.FailedStatus ?? outcome.Response?.StatusCode);
            return;
        }
        answers.CountMiss(request);
        CacheHeaders.Miss(request.Response, CacheForward.Stale, outcome.Stored, outcome.Detail);
        await answers.RespondAsync(request, outcome.Response!);
    }

    /// <summary>Another request is asking the origin: its answer if it comes within the soft timeout and is not a 5xx, else the copy.</summary>
    private async Task FollowWithCopyAsync(CacheRequest request, CacheEntry copy, TaskCompletionSource<CacheEntry> leader)
    {
        var stale = request.Stale;
        CacheEntry answer;
        try
        {
            answer = await leader.Task.WaitAsync(stale.OriginSoftTimeout, time);
        }
        catch (TimeoutException)
        {
            await answers.StaleAsync(request, copy, stale.OriginSoftTimeout >= stale.OriginHardTimeout ? StaleReason.OriginTimeout : StaleReason.SoftTimeout);
            return;
        }
        catch (Exception)
        {
            await answers.StaleAsync(request, copy, StaleReason.OriginError);
            return;
        }
        if (answer.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            await answers.StaleAsync(request, copy, StaleReason.OriginStatus, answer.StatusCode);
            return;
        }
        answers.CountMiss(request);
        answers.Metrics.Collapsed(request.Route);
        CacheHeaders.Collapsed(request.Response, CacheForward.Stale);
        await answers.RespondAsync(request, answer);
    }
}
