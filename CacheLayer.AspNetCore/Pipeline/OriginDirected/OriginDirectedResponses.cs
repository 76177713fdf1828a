using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// Serves one GET or HEAD of an origin-directed endpoint (a proxied route) as a shared HTTP cache (RFC 9111):
/// a fresh stored response answers at once; a stale one answers when <c>max-stale</c> or
/// <c>stale-while-revalidate</c> allows, else is validated with the origin (a <c>304</c> refreshes its header
/// fields and its stored body answers), and answers on an origin error when <c>stale-if-error</c> allows; without
/// one the origin is asked and its answer stored if its headers allow. Upgrades and range requests pass through.
/// </summary>
internal sealed class OriginDirectedResponses(
    OriginEntries entries, OriginRevalidation revalidation, OriginBackgroundRevalidation background, CacheStatistics statistics, CacheMetrics metrics, IOptions<CacheLayerOptions> options)
{
    private readonly int _maxKeyLength = options.Value.MaxKeyLength;

    public Task ServeAsync(HttpContext context, string route, RequestDelegate next)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || (request.Headers.Range.Count > 0 && (ByteRange.Parse(request.Headers.Range) is null || request.Headers.IfRange.Count > 0)))
        {
            // Upgrades and multi-part or conditional ranges are the origin's to answer; nothing is stored.
            return next(context);
        }
        var directives = CacheControlDirectives.Parse(request.Headers.CacheControl);
        if (directives.Has("no-store"))
        {
            return BypassAsync(context, route, next, "no-store");
        }
        var path = "GET:" + request.PathBase.Value + request.Path.Value;
        var key = new CacheKey(path, request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        if (key.Value.Length > _maxKeyLength)
        {
            return BypassAsync(context, route, next, "key-too-long");
        }
        var origin = new OriginRequest(context, route, next, key, directives, entries.Epoch);
        if (directives.IsEmpty && request.Headers.Range.Count == 0 && request.Headers.Authorization.Count == 0 && !origin.NoCache
            && entries.TryMemory(key, request, out var entry, out var stored) && !stored.NoCache)
        {
            // The hot path: a fresh response in memory, no request directive to weigh, no await.
            var now = revalidation.Now;
            if (entry.ExpiresAt > now)
            {
                statistics.Hit(key);
                metrics.Hit(route, CacheTier.Memory);
                return StoredResponseWriter.WriteStoredAsync(context, entry, stored, ClientConditions.Read(request), now, "HIT", OriginCacheStatus.Hit(entry, now, CacheTier.Memory));
            }
        }
        return ReadAsync(origin);
    }

    private async Task ReadAsync(OriginRequest request)
    {
        var found = await entries.FindAsync(request.Route, request.Key, request.Http.Request, request.Epoch);
        var conditions = ClientConditions.Take(request.Http.Request);
        try
        {
            if (found is { Entry: { } entry, Stored: { } stored }
                && (request.Http.Request.Headers.Authorization.Count == 0 || stored.SharedDespiteAuthorization))
            {
                await FromStoredAsync(request, found, entry, stored, conditions);
                return;
            }
            if (await AnsweredWithoutStoringAsync(request, conditions))
            {
                return;
            }
            statistics.Miss(request.Key);
            metrics.Miss(request.Route);
            var fwd = request.NoCache ? "request" : "miss";
            if (HttpMethods.IsHead(request.Http.Request.Method))
            {
                // A HEAD has no body to store: the origin answers it as it is.
                conditions.Restore(request.Http.Request);
                conditions = default;
                StoredResponseWriter.Mark(request.Http.Response, "MISS", $"CacheLayer; fwd={fwd}", "miss");
                await request.Next(request.Http);
                return;
            }
            var generations = found.StoreAnswered ? found.Generations ?? await entries.ReadGenerationsAsync(request.Route, request.Key) : null;
            await revalidation.FetchAsync(request, fwd, generations, conditions);
        }
        finally
        {
            conditions.Restore(request.Http.Request);
        }
    }

    private async Task FromStoredAsync(OriginRequest request, FoundResponse found, CacheEntry entry, StoredHttpResponse stored, ClientConditions conditions)
    {
        var now = revalidation.Now;
        var age = now - entry.StoredAt;
        var freshFor = entry.ExpiresAt - now;
        var acceptable = !request.NoCache && !stored.NoCache
            && !(request.Directives.Seconds("max-age") is { } maxAge && age > maxAge)
            && !(request.Directives.Seconds("min-fresh") is { } minFresh && freshFor < minFresh);
        if (freshFor > TimeSpan.Zero && acceptable)
        {
            statistics.Hit(request.Key);
            metrics.Hit(request.Route, found.Tier);
            if (ByteRange.Parse(request.Http.Request.Headers.Range) is { } range && entry.StatusCode == StatusCodes.Status200OK)
            {
                await StoredResponseWriter.WritePartialAsync(request.Http, entry, stored, range, now, OriginCacheStatus.Hit(entry, now, found.Tier));
                return;
            }
            await StoredResponseWriter.WriteStoredAsync(request.Http, entry, stored, conditions, now, "HIT", OriginCacheStatus.Hit(entry, now, found.Tier));
            return;
        }
        var staleness = -freshFor;
        if (freshFor <= TimeSpan.Zero && !request.NoCache && !stored.NoCache && !stored.MustRevalidate)
        {
            // Only what the client's max-stale or the response's stale-while-revalidate allows: without either, even a
            // response stale by zero seconds (a zero lifetime, read in the same tick) is not served.
            TimeSpan? maxStale = request.Directives.TryGet("max-stale", out var value)
                ? (CacheControlDirectives.ParseDeltaSeconds(value) is { } seconds ? TimeSpan.FromSeconds(seconds) : value is null ? TimeSpan.MaxValue : TimeSpan.Zero)
                : null;
            var detail = staleness <= maxStale ? "max-stale"
                : stored.StaleWhileRevalidate > TimeSpan.Zero && staleness <= stored.StaleWhileRevalidate ? "stale-while-revalidate"
                : null;
            if (detail is not null)
            {
                statistics.Hit(request.Key);
                metrics.Stale(request.Route, StaleReason.WhileRevalidate);
                await StoredResponseWriter.WriteStoredAsync(request.Http, entry, stored, conditions, now, "STALE", OriginCacheStatus.Stale(entry, now, detail));
                if (detail == "stale-while-revalidate")
                {
                    background.Start(request, entry, stored, found.Generations);
                }
                return;
            }
        }
        if (await AnsweredWithoutStoringAsync(request, conditions))
        {
            return;
        }
        statistics.Miss(request.Key);
        metrics.Miss(request.Route);
        var generations = found.Generations ?? await entries.ReadGenerationsAsync(request.Route, request.Key);
        await revalidation.ValidateAsync(request, entry, stored, generations, conditions);
    }

    /// <summary>
    /// A request the cache has no usable stored response for, and does not fetch one for: <c>only-if-cached</c> gets a
    /// 504, a range goes to the origin as the client asked. False for any other (the origin is asked, and its answer stored).
    /// </summary>
    private static async Task<bool> AnsweredWithoutStoringAsync(OriginRequest request, ClientConditions conditions)
    {
        if (request.OnlyIfCached)
        {
            await OnlyIfCachedAsync(request);
            return true;
        }
        if (request.Http.Request.Headers.Range.Count > 0)
        {
            await PassRangeAsync(request, conditions);
            return true;
        }
        return false;
    }

    /// <summary>A range the cache cannot answer from a fresh response: the origin answers it, as the client asked.</summary>
    private static Task PassRangeAsync(OriginRequest request, ClientConditions conditions)
    {
        conditions.Restore(request.Http.Request);
        StoredResponseWriter.Mark(request.Http.Response, "BYPASS", OriginCacheStatus.Bypass("range"), "bypass");
        return request.Next(request.Http);
    }

    private Task BypassAsync(HttpContext context, string route, RequestDelegate next, string detail)
    {
        metrics.Bypass(route, detail == "no-store" ? CacheBypassReason.NoStore : CacheBypassReason.KeyTooLong);
        StoredResponseWriter.Mark(context.Response, "BYPASS", OriginCacheStatus.Bypass(detail), "bypass");
        return next(context);
    }

    private static Task OnlyIfCachedAsync(OriginRequest request)
    {
        var response = request.Http.Response;
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.Headers.CacheControl = "no-store";
        StoredResponseWriter.Mark(response, "MISS", OriginCacheStatus.OnlyIfCached(), "miss");
        return Task.CompletedTask;
    }
}

/// <summary>One GET or HEAD of an origin-directed endpoint, as its steps see it.</summary>
internal readonly record struct OriginRequest(HttpContext Http, string Route, RequestDelegate Next, CacheKey Key, CacheControlDirectives Directives, long Epoch)
{
    /// <summary><c>no-cache</c>, or <c>Pragma: no-cache</c> without a <c>Cache-Control</c>: validate before any use.</summary>
    public bool NoCache => Directives.Has("no-cache")
        || (Directives.IsEmpty && Http.Request.Headers.Pragma.Any(pragma => pragma?.Contains("no-cache", StringComparison.OrdinalIgnoreCase) == true));

    public bool OnlyIfCached => Directives.Has("only-if-cached");
}
