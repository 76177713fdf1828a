using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// A miss: the origin answers, and its answer is stored unless a write moved the generations read before it
/// was asked. Identical misses (and <c>no-cache</c> requests) share one origin call: the first leads, the others
/// wait for its full answer. A leader past the hard timeout stops leading at once, so the next request asks the
/// origin itself and stores, whatever the stuck call still does.
/// </summary>
internal sealed class MissFlow(Inflight<CacheEntry> misses, OriginInvoker origin, EntryStore entries, CachedAnswers answers, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private readonly TimeSpan _collapseTimeout = options.Value.CollapseTimeout;
    private readonly Inflight<CacheEntry> _misses = misses;
    private readonly EntryStore _entries = entries;
    private readonly CachedAnswers _answers = answers;

    public async Task MissAsync(CacheRequest request, CacheForward forward, bool storeAnswered, CacheGenerations? known = null)
    {
        _answers.CountMiss(request);
        if (!_misses.TryLead(request.Key, out var leader))
        {
            await FollowAsync(request, leader, forward, storeAnswered);
            return;
        }

        OriginAnswer answer;
        StoreCallResult<CacheGenerations> generations = default;
        try
        {
            // Read before the origin is: a write that lands after this moves them, and the store below fails.
            // After a failed read the store is likely down: don't make the request wait for a second timeout.
            // The lookup usually read them already (one round trip for both).
            if (known is not null)
            {
                generations = new StoreCallResult<CacheGenerations>(true, known);
            }
            else if (storeAnswered && await _entries.ReadGenerationsAsync(request) is { } read)
            {
                generations = new StoreCallResult<CacheGenerations>(true, read);
            }
            answer = await origin.CallBoundedAsync(request, http => CacheHeaders.Miss(http, forward, stored: false, CacheMissDetail.TooLarge));
        }
        catch (Exception exception)
        {
            _misses.Fail(request.Key, leader, exception);
            throw;
        }
        if (answer.Response is not { } response)
        {
            // Answered 504 at the hard timeout, the client left, or too large (already streamed): nothing to share or store.
            _misses.Fail(request.Key, leader, new TimeoutException("The origin's answer cannot be shared."));
            await answer.Settled;
            return;
        }

        ResponseStartHook.Defer(request.HttpContext, new MissCompletion(this, request, response, generations, leader, forward));
        await _answers.RespondAsync(request, response);
    }

    /// <summary>The origin's answer for a request that neither reads nor writes the cache (a bypass); null when it went to the client as it was written.</summary>
    public Task<CacheEntry?> CallOriginAsync(CacheRequest request) => origin.CallAsync(request);

    /// <summary>Answers with the leader's full answer; if it fails or is too slow, asks the origin, leaving storing to the leader.</summary>
    private async Task FollowAsync(CacheRequest request, TaskCompletionSource<CacheEntry> leader, CacheForward forward, bool storeAnswered)
    {
        if (await WaitForAsync(leader) is { } collapsed)
        {
            _answers.Metrics.Collapsed(request.Route);
            CacheHeaders.Collapsed(request.Response);
            await _answers.RespondAsync(request, collapsed);
            return;
        }
        CacheHeaders.Miss(request.Response, forward, stored: false, storeAnswered ? CacheMissDetail.None : CacheMissDetail.StoreUnavailable);
        var own = await origin.CallBoundedAsync(request, http => CacheHeaders.Miss(http, forward, stored: false, CacheMissDetail.TooLarge));
        await own.Settled;
        if (own.Response is { } response)
        {
            await _answers.RespondAsync(request, response);
        }
    }

    private async Task<CacheEntry?> WaitForAsync(TaskCompletionSource<CacheEntry> leader)
    {
        try
        {
            return await leader.Task.WaitAsync(_collapseTimeout, time);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// What a miss does as its response starts: only then are its headers final (middleware may add a cookie
    /// in <c>OnStarting</c>), so only then can it tell whether the response may be shared and stored.
    /// </summary>
    private sealed class MissCompletion(
        MissFlow flow, CacheRequest request, CacheEntry response, StoreCallResult<CacheGenerations> generations,
        TaskCompletionSource<CacheEntry> leader, CacheForward forward) : IResponseStartWork
    {
        public async Task OnResponseStartingAsync()
        {
            if (flow._entries.PrivacyOf(request.Response, response) is { } reason)
            {
                Abandon();
                CacheHeaders.Miss(request.Response, forward, stored: false, reason);
                return;
            }
            // Requests that arrive while the answer is stored join it instead of asking the origin again.
            flow._misses.Publish(leader, response);
            bool stored;
            CacheMissDetail detail;
            try
            {
                (stored, detail) = generations.Succeeded
                    ? await flow._entries.StoreAsync(request, response, generations.Value!)
                    : (false, CacheMissDetail.StoreUnavailable);
            }
            finally
            {
                flow._misses.Complete(request.Key, leader, response);
            }
            if (detail == CacheMissDetail.VariantLimit)
            {
                // The path has all the variants it may store: served uncached, as any other bypass.
                flow._answers.CountBypass(request, CacheBypassReason.VariantLimit);
                return;
            }
            CacheHeaders.Miss(request.Response, forward, stored, detail);
        }

        public void Abandon() => flow._misses.Fail(request.Key, leader, new InvalidOperationException("The leader's response is not shareable."));
    }
}
