using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Policies;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// Asks the origin for an origin-directed request: for the full representation on a miss, or with the stored
/// response's validators (<c>If-None-Match</c>, <c>If-Modified-Since</c>) when it must be validated. A
/// <c>304</c> refreshes the stored header fields (RFC 9111 §4.3.4) and the stored body answers; an error (a
/// 5xx, the proxy's 502 or 504, a throw) answers with the stored response while <c>stale-if-error</c> allows;
/// any other answer is stored if its headers allow, and goes to the client.
/// </summary>
internal sealed class OriginRevalidation(
    OriginEntries entries, OriginDirectedRules rules, OriginMissCollapsing collapsing, IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private readonly int _maxBodyBytes = options.Value.MaxBodySizeBytes;

    private OriginDirectedRules Rules => rules;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>A miss: the origin's full answer, stored when its headers allow and the generations were read.</summary>
    public async Task FetchAsync(OriginRequest request, string fwd, CacheGenerations? generations, ClientConditions conditions)
    {
        TaskCompletionSource<CacheEntry>? leading = null;
        if (!request.NoCache)
        {
            if (collapsing.TryLead(request, out var leader))
            {
                leading = leader;
            }
            else if (await collapsing.FollowAsync(request, leader, conditions, rules.ActAsCdn))
            {
                return;
            }
        }
        CacheEntry? shared = null;
        try
        {
            var requestTime = Now;
            var verdict = new Verdict();
            using var forwarded = await ForwardedResponse.RunAsync(request.Http, request.Next, _maxBodyBytes, response =>
            {
                var keep = verdict.Keep(this, request, response, fwd, generations);
                if (!keep && leading is not null)
                {
                    // Not storable: the requests waiting on this one go to the origin now, not when it ends.
                    collapsing.End(request, leading, null);
                    leading = null;
                }
                return keep;
            }, response => TooLarge(response, fwd), time);
            shared = await AnswerAsync(request, forwarded, verdict, requestTime, fwd, generations, conditions);
        }
        finally
        {
            if (leading is not null)
            {
                collapsing.End(request, leading, shared);
            }
        }
    }

    /// <summary>A stored response that may not be used as it is: validated with the origin.</summary>
    public async Task ValidateAsync(OriginRequest request, CacheEntry entry, StoredHttpResponse stored, CacheGenerations? generations, ClientConditions conditions)
    {
        var http = request.Http.Request;
        var requestTime = Now;
        // stale-if-error covers any 5xx; an origin the proxy could not reach (502, 504, a throw) leaves it to the disconnected rule.
        var staleness = requestTime - entry.ExpiresAt;
        var staleOnError = stored.MayServeStale && staleness <= stored.StaleIfError;
        var staleOnUnreachable = stored.MayServeStale && (staleOnError || staleness <= rules.Unreachable);
        if (stored.ETag is { } etag)
        {
            http.Headers.IfNoneMatch = etag;
        }
        if (stored.LastModified is { } lastModified)
        {
            http.Headers.IfModifiedSince = lastModified;
        }
        var method = http.Method;
        http.Method = HttpMethods.Get;
        var verdict = new Verdict();
        ForwardedResponse forwarded;
        try
        {
            forwarded = await ForwardedResponse.RunAsync(request.Http, request.Next, _maxBodyBytes, response =>
                response.StatusCode == StatusCodes.Status304NotModified
                || (staleOnError && response.StatusCode >= StatusCodes.Status500InternalServerError)
                || (staleOnUnreachable && OriginDirectedRules.IsUnreachable(response.StatusCode))
                || verdict.Keep(this, request, response, "stale", generations), response => TooLarge(response, "stale"), time);
        }
        catch (Exception) when (staleOnUnreachable && !request.Http.Response.HasStarted)
        {
            await AnswerStaleAsync(request, entry, stored, conditions, null, staleOnError ? "stale-if-error" : "origin-unreachable");
            return;
        }
        finally
        {
            http.Headers.Remove(HeaderNames.IfNoneMatch);
            http.Headers.Remove(HeaderNames.IfModifiedSince);
            http.Method = method;
        }
        using (forwarded)
        {
            var response = request.Http.Response;
            if (forwarded.Body is null)
            {
                return;
            }
            if (response.StatusCode == StatusCodes.Status304NotModified)
            {
                var (refreshed, updated) = Refreshed(entry, stored, response, requestTime, forwarded.ResponseTime);
                var kept = generations is not null && await StoreAsync(request, refreshed, updated, generations);
                await StoredResponseWriter.WriteStoredAsync(request.Http, refreshed, updated, conditions, Now, "REVALIDATED", OriginCacheStatus.Revalidated(kept));
                return;
            }
            if ((staleOnError && response.StatusCode >= StatusCodes.Status500InternalServerError)
                || (staleOnUnreachable && OriginDirectedRules.IsUnreachable(response.StatusCode)))
            {
                await AnswerStaleAsync(request, entry, stored, conditions, response.StatusCode, staleOnError ? "stale-if-error" : "origin-unreachable");
                return;
            }
            await AnswerAsync(request, forwarded, verdict, requestTime, "stale", generations, conditions);
        }
    }

    /// <summary>
    /// Validates a stored response on a detached request (no client waits): a 304 refreshes it, a storable answer
    /// replaces it, anything else leaves it as it is.
    /// </summary>
    public async Task RefreshAsync(OriginRequest request, CacheEntry entry, StoredHttpResponse stored, CacheGenerations? generations)
    {
        var http = request.Http.Request;
        var requestTime = Now;
        if (stored.ETag is { } etag)
        {
            http.Headers.IfNoneMatch = etag;
        }
        if (stored.LastModified is { } lastModified)
        {
            http.Headers.IfModifiedSince = lastModified;
        }
        var verdict = new Verdict();
        using var forwarded = await ForwardedResponse.RunAsync(request.Http, request.Next, _maxBodyBytes, response =>
            response.StatusCode == StatusCodes.Status304NotModified || verdict.Keep(this, request, response, "stale", generations), _ => { }, time);
        var response = request.Http.Response;
        if (forwarded.Body is not { } body || generations is null)
        {
            return;
        }
        if (response.StatusCode == StatusCodes.Status304NotModified)
        {
            var (refreshed, updated) = Refreshed(entry, stored, response, requestTime, forwarded.ResponseTime);
            await StoreAsync(request, refreshed, updated, generations);
        }
        else if (verdict.Stored is { } replacing)
        {
            var born = OriginDirectedRules.BornAt(response.Headers, requestTime, forwarded.ResponseTime);
            var replacement = new CacheEntry(response.StatusCode, response.ContentType, "", body, born, born + (verdict.Lifetime ?? TimeSpan.Zero))
            {
                Headers = replacing.Encode(),
                Decoded = replacing,
            };
            await StoreAsync(request, replacement, replacing, generations);
        }
    }

    /// <summary>A stored response refreshed by a 304 (RFC 9111 §4.3.4): its fields updated, its age and freshness from the 304.</summary>
    private (CacheEntry Entry, StoredHttpResponse Stored) Refreshed(CacheEntry entry, StoredHttpResponse stored, HttpResponse notModified, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        var updated = stored.UpdatedBy(notModified.Headers, rules.ActAsCdn);
        var born = OriginDirectedRules.BornAt(notModified.Headers, requestTime, responseTime);
        var lifetime = rules.Lifetime(entry.StatusCode, updated, responseTime) ?? TimeSpan.Zero;
        return (new CacheEntry(entry.StatusCode, entry.ContentType, "", entry.Body, born, born + lifetime) { Headers = updated.Encode(), Decoded = updated }, updated);
    }

    /// <summary>Stores and answers a held response; returns it when it could be shared (null when it streamed).</summary>
    private async Task<CacheEntry?> AnswerAsync(OriginRequest request, ForwardedResponse forwarded, Verdict verdict, DateTimeOffset requestTime, string fwd, CacheGenerations? generations, ClientConditions conditions)
    {
        if (forwarded.Body is not { } body || verdict.Stored is not { } stored)
        {
            // Streamed to the client as the origin sent it, already marked.
            return null;
        }
        var response = request.Http.Response;
        var born = OriginDirectedRules.BornAt(response.Headers, requestTime, forwarded.ResponseTime);
        var entry = new CacheEntry(response.StatusCode, response.ContentType, "", body, born, born + (verdict.Lifetime ?? TimeSpan.Zero))
        {
            Headers = stored.Encode(),
            Decoded = stored,
        };
        var kept = generations is not null && entry.Headers.Length <= ushort.MaxValue && (response.ContentType?.Length ?? 0) <= ushort.MaxValue
            && await StoreAsync(request, entry, stored, generations);
        await StoredResponseWriter.WriteHeldAsync(request.Http, body, conditions, "MISS",
            OriginCacheStatus.Forwarded(fwd, response.StatusCode, kept, kept ? null : "store-unavailable"));
        return entry;
    }

    private static void TooLarge(HttpResponse response, string fwd) =>
        StoredResponseWriter.Mark(response, "MISS", OriginCacheStatus.Forwarded(fwd, response.StatusCode, false, "too-large"), "miss");

    private Task<bool> StoreAsync(OriginRequest request, CacheEntry entry, StoredHttpResponse stored, CacheGenerations generations) =>
        entries.StoreAsync(request.Route, request.Key, entry, stored, generations, request.Epoch, rules.KeptStale(stored));

    private Task AnswerStaleAsync(OriginRequest request, CacheEntry entry, StoredHttpResponse stored, ClientConditions conditions, int? originStatus, string detail)
    {
        var now = Now;
        return StoredResponseWriter.WriteStoredAsync(request.Http, entry, stored, conditions, now, "STALE", OriginCacheStatus.Stale(entry, now, detail, originStatus));
    }

    /// <summary>Whether the origin's answer may be stored, decided once its status and headers are known.</summary>
    private sealed class Verdict
    {
        public StoredHttpResponse? Stored { get; private set; }

        public TimeSpan? Lifetime { get; private set; }

        public bool Keep(OriginRevalidation owner, OriginRequest request, HttpResponse response, string fwd, CacheGenerations? generations)
        {
            var stored = StoredHttpResponse.From(response.Headers, request.Http.Request, VaryFields.Names(response.Headers.Vary), owner.Rules.ActAsCdn);
            var lifetime = owner.Rules.Lifetime(response.StatusCode, stored, owner.Now);
            var why = owner.Rules.WhyNotStored(request.Http.Request, response.StatusCode, response.Headers, stored, lifetime)
                ?? (generations is null ? "store-unavailable" : null);
            if (why is not null)
            {
                StoredResponseWriter.Mark(response, "MISS", OriginCacheStatus.Forwarded(fwd, response.StatusCode, false, why), "miss");
                return false;
            }
            Stored = stored;
            Lifetime = lifetime;
            return true;
        }
    }
}
