using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// Caches a GET (and HEAD) endpoint's 200 responses as its <see cref="CachePolicy"/> says. A hit is one
/// store read; a miss runs the handler (once per key at a time: identical misses wait for it), sends
/// its bytes and stores them unless a write invalidated the path meanwhile. <c>?nocache=true</c>,
/// <c>Cache-Control: no-store</c> and requests with credentials (unless the endpoint varies by user)
/// neither read nor write; <c>Cache-Control: no-cache</c> skips the read and refreshes the entry.
/// A store that fails or is slow only ever turns a hit into a miss. A miss's response is stored and
/// shared with collapsed waiters only once it starts, when its headers are final: one that sets a
/// cookie (even from another middleware's <c>OnStarting</c>) or that the handler marked
/// <c>private</c> or <c>no-store</c> is neither. Past its TTL, an entry's grace copy answers when the origin
/// fails or is slow, and the origin's own time is bounded (see the other part of this class).
/// </summary>
internal sealed partial class ResponseCacheFilter(
    CachePolicy policy,
    Func<EndpointFilterInvocationContext, string, object?> argumentLookup,
    CacheStoreGuard store,
    MemoryTier tier,
    SharedReads reads,
    Inflight<CacheEntry> misses,
    OriginBackoff backoff,
    AppPipeline pipeline,
    CacheStatistics statistics,
    CacheMetrics metrics,
    IOptions<CacheLayerOptions> options,
    TimeProvider time) : IEndpointFilter
{
    private readonly CacheLayerOptions _options = Checked(options.Value, policy);
    private readonly StaleRules _stale = StaleRules.Of(policy, options.Value);
    private readonly double? _eagerRefreshAfter = options.Value.EagerRefreshThreshold;
    private readonly Inflight<CacheEntry> _misses = misses;
    private readonly CacheMetrics _metrics = metrics;
    private CacheKeyTemplate? _template;
    private CacheKeyQueryNames? _query;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var http = context.Request;
        if (!HttpMethods.IsGet(http.Method) && !HttpMethods.IsHead(http.Method))
        {
            return await next(invocation);
        }
        if (context.Features.Get<DetachedRefresh>() is { } refresh)
        {
            return await CaptureForRefreshAsync(invocation, next, refresh);
        }

        var route = EndpointRoute.TemplateOf(context);
        var isPrivate = CarriesCredentials(http);
        var directives = RequestCacheDirectives.From(http);
        CacheBypassReason? bypass = CacheKeyQuery.IsBypass(http.Query) ? CacheBypassReason.Requested
            : directives.NoStore ? CacheBypassReason.NoStore
            : isPrivate && !policy.VaryByUser ? CacheBypassReason.Private
            : policy.VaryByUser && context.User.Identity?.IsAuthenticated == true && UserKey.IdOf(context.User) is null ? CacheBypassReason.NoUserId
            : null;
        var request = new CacheRequest(invocation, route, bypass is null ? KeyOf(invocation) : default, isPrivate);
        if (bypass is null && request.Key.Value.Length > _options.MaxKeyLength)
        {
            bypass = CacheBypassReason.KeyTooLong;
        }
        if (bypass is { } reason)
        {
            return await BypassAsync(request, next, reason);
        }

        if (directives.NoCache)
        {
            return await MissAsync(request with { Epoch = tier.Epoch }, next, CacheForward.Request, storeAnswered: true);
        }

        if (tier.TryGet(request.Key, out var remembered))
        {
            return Hit(request, remembered, CacheTier.Memory);
        }

        request = request with { Epoch = tier.Epoch };
        var lookup = await reads.GetAsync(route, request.Key, policy.Tags);
        if (lookup.Value.Entry is { } entry)
        {
            tier.Set(request.Key, entry, policy.Tags, request.Epoch);
            return Hit(request, entry, CacheTier.Redis);
        }
        if (lookup.Succeeded && _stale.KeepsCopies && await GraceCopyAsync(request) is { Entry: { } copy, Generations: { } generations })
        {
            return await WithCopyAsync(request, copy, generations);
        }
        return await MissAsync(request, next, CacheForward.Miss, lookup.Succeeded, lookup.Value.Generations);
    }

    /// <summary>
    /// The origin answers, and its answer is stored unless a write moved the generations read before it
    /// was asked. A plain miss leads identical misses (or follows one already at the origin); a refresh
    /// the client asked for always asks the origin itself.
    /// </summary>
    private async Task<object?> MissAsync(
        CacheRequest request, EndpointFilterDelegate next, CacheForward forward, bool storeAnswered, CacheGenerations? known = null)
    {
        statistics.Miss(request.Key);
        _metrics.Miss(request.Route);
        TaskCompletionSource<CacheEntry>? leader = null;
        if (forward == CacheForward.Miss && !_misses.TryLead(request.Key, out leader))
        {
            return await FollowAsync(request, next, leader, storeAnswered);
        }

        CacheEntry? response;
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
            else if (storeAnswered)
            {
                generations = await store.RunAsync(request.Route, "generations", s => s.GetGenerationsAsync(request.Key.Path, policy.Tags));
            }
            var answer = await BoundedOriginAsync(request, next, http => CacheHeaders.Miss(http, forward, stored: false, CacheMissDetail.TooLarge));
            if (!answer.Ended)
            {
                // Answered 504 at the hard timeout (or the client left): nothing to share or store.
                if (leader is not null)
                {
                    _misses.Fail(request.Key, leader, new TimeoutException("The origin did not answer within the hard timeout."));
                }
                return Results.Empty;
            }
            response = answer.Response;
        }
        catch (Exception exception) when (leader is not null)
        {
            _misses.Fail(request.Key, leader, exception);
            throw;
        }
        if (response is null)
        {
            // Too large: already streamed to the client, nothing to share or store.
            if (leader is not null)
            {
                _misses.Fail(request.Key, leader, new InvalidOperationException("The response was too large to share."));
            }
            return Results.Empty;
        }

        var hook = request.HttpContext.Features.Get<ResponseStartHook>()
            ?? throw new InvalidOperationException("CacheLayer's start-up filter is not in the pipeline; register the layer with AddCacheLayer.");
        hook.Defer(new MissCompletion(this, request, response, generations, leader, forward));
        return Respond(request, response);
    }

    /// <summary>
    /// What a miss does as its response starts: only then are its headers final (middleware may add a
    /// cookie in <c>OnStarting</c>), so only then can it tell whether the response may be shared.
    /// </summary>
    private sealed class MissCompletion(
        ResponseCacheFilter filter,
        CacheRequest request,
        CacheEntry response,
        StoreCallResult<CacheGenerations> generations,
        TaskCompletionSource<CacheEntry>? leader,
        CacheForward forward) : IResponseStartWork
    {
        public async Task OnResponseStartingAsync()
        {
            if (filter.PrivacyOf(request.Response, response) is { } reason)
            {
                Abandon();
                CacheHeaders.Miss(request.Response, forward, stored: false, reason);
                return;
            }
            if (leader is not null)
            {
                filter._misses.Complete(request.Key, leader, response);
            }
            var (stored, detail) = generations.Succeeded
                ? await filter.StoreAsync(request, response, generations.Value!)
                : (false, CacheMissDetail.StoreUnavailable);
            if (detail == CacheMissDetail.VariantLimit)
            {
                // The path has all the variants it may store: served uncached, as any other bypass.
                filter._metrics.Bypass(request.Route, CacheBypassReason.VariantLimit);
                CacheHeaders.Bypass(request.Response, CacheBypassReason.VariantLimit);
                return;
            }
            CacheHeaders.Miss(request.Response, forward, stored, detail);
        }

        public void Abandon()
        {
            if (leader is not null)
            {
                filter._misses.Fail(request.Key, leader, new InvalidOperationException("The leader's response is not shareable."));
            }
        }

    }

    /// <summary>Why a response may not be stored or shared, if it may not; <paramref name="http"/>'s headers must be final.</summary>
    private CacheMissDetail? PrivacyOf(HttpResponse http, CacheEntry response) =>
        http.Headers.SetCookie.Count > 0 ? CacheMissDetail.SetCookie // a cookie is for one client only
        : response.CacheControl is { } cacheControl && IsPrivate(cacheControl) ? CacheMissDetail.Private
        : response.Body.Length > _options.MaxBodySizeBytes ? CacheMissDetail.TooLarge
        : null;

    private static bool IsPrivate(string cacheControl) =>
        Microsoft.Net.Http.Headers.CacheControlHeaderValue.TryParse(cacheControl, out var parsed)
            ? parsed.Private || parsed.NoStore
            // Unparseable: err on the side of privacy.
            : true;

    /// <summary>Answers with the leader's response; if it fails or is too slow, asks the origin, leaving storing to the leader.</summary>
    private async Task<object?> FollowAsync(CacheRequest request, EndpointFilterDelegate next, TaskCompletionSource<CacheEntry> leader, bool storeAnswered)
    {
        if (await WaitForAsync(leader) is { } collapsed)
        {
            _metrics.Collapsed(request.Route);
            CacheHeaders.Collapsed(request.Response);
            return Respond(request, collapsed);
        }
        var detail = storeAnswered ? CacheMissDetail.None : CacheMissDetail.StoreUnavailable;
        CacheHeaders.Miss(request.Response, CacheForward.Miss, stored: false, detail);
        var own = await BoundedOriginAsync(request, next, http => CacheHeaders.Miss(http, CacheForward.Miss, stored: false, CacheMissDetail.TooLarge));
        return own.Response is { } response ? Respond(request, response) : Results.Empty;
    }

    private async Task<(bool Stored, CacheMissDetail Detail)> StoreAsync(CacheRequest request, CacheEntry response, CacheGenerations generations)
    {
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return (false, CacheMissDetail.None);
        }

        var set = await store.RunAsync(request.Route, "set", s => s.SetAsync(request.Key, response, generations, policy.Tags, _stale.Grace));
        if (!set.Succeeded)
        {
            return (false, CacheMissDetail.StoreUnavailable);
        }
        if (set.Value != StoreOutcome.Stored)
        {
            return (false, set.Value == StoreOutcome.VariantLimit ? CacheMissDetail.VariantLimit : CacheMissDetail.Invalidated);
        }
        tier.Set(request.Key, response, policy.Tags, request.Epoch);
        return (true, CacheMissDetail.None);
    }

    private async ValueTask<object?> BypassAsync(CacheRequest request, EndpointFilterDelegate next, CacheBypassReason reason)
    {
        _metrics.Bypass(request.Route, reason);
        CacheHeaders.Bypass(request.Response, reason);
        return await OriginAsync(request, next, static _ => { }) is { } response ? Respond(request, response) : Results.Empty;
    }

    private BodyResult Hit(in CacheRequest request, CacheEntry entry, CacheTier from)
    {
        statistics.Hit(request.Key);
        _metrics.Hit(request.Route, from);
        var now = time.GetUtcNow();
        CacheHeaders.Hit(request.Response, entry, now, from);
        if (_eagerRefreshAfter is { } after && now - entry.StoredAt >= after * (entry.ExpiresAt - entry.StoredAt))
        {
            RefreshEarly(request, entry);
        }
        return Respond(request, entry);
    }

    /// <summary>The handler's response, captured; null when it outgrew the body limit and went straight to the client.</summary>
    private async Task<CacheEntry?> OriginAsync(CacheRequest request, EndpointFilterDelegate next, Action<HttpResponse> onTooLarge) =>
        await ResponseCapture.ExecuteAsync(
            request.HttpContext, await next(request.Invocation), time.GetUtcNow(), policy.TimeToLive, _options.MaxBodySizeBytes, onTooLarge);

    private bool CarriesCredentials(HttpRequest http)
    {
        if (http.Headers.Authorization.Count > 0 || http.Headers.Cookie.Count > 0)
        {
            return true;
        }
        foreach (var header in _options.CredentialHeaders)
        {
            if (http.Headers.ContainsKey(header))
            {
                return true;
            }
        }
        if (http.QueryString.HasValue)
        {
            foreach (var parameter in _options.CredentialQueryParameters)
            {
                if (http.Query.ContainsKey(parameter))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static CacheLayerOptions Checked(CacheLayerOptions options, CachePolicy policy) =>
        policy.VaryByUser && string.IsNullOrEmpty(options.UserKeySalt)
            ? throw new InvalidOperationException(
                $"An endpoint caches per user (varyByUser) but {CacheLayerOptions.SectionName}:{nameof(CacheLayerOptions.UserKeySalt)} is not set: set it to a secret of 16 characters or more.")
            : options;

    private BodyResult Respond(in CacheRequest request, CacheEntry response)
    {
        CacheHeaders.Validators(request.Response, response, policy, request.IsPrivate);
        var notModified = response.StatusCode == StatusCodes.Status200OK && EntityTag.IsMatchedBy(request.HttpContext.Request, response.ETag);
        if (notModified)
        {
            _metrics.NotModified(request.Route);
        }
        return new BodyResult(response, notModified);
    }

    private async Task<CacheEntry?> WaitForAsync(TaskCompletionSource<CacheEntry> leader)
    {
        try
        {
            return await leader.Task.WaitAsync(_options.CollapseTimeout, time);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private CacheKey KeyOf(EndpointFilterInvocationContext invocation)
    {
        var template = _template ??= invocation.HttpContext.GetEndpoint() is RouteEndpoint endpoint
            ? CacheKeyTemplate.FromRoute(HttpMethods.Get, endpoint.RoutePattern)
            : throw new InvalidOperationException("Response caching needs a routed endpoint.");
        return new CacheKey(
            template.FixedPath ?? template.FillPath(invocation, argumentLookup),
            CacheKeyQuery.From(invocation.HttpContext.Request.Query, _query ??= QueryNamesOf(invocation.HttpContext)),
            CacheKeyVary.From(invocation.HttpContext, policy, _options.UserKeySalt ?? ""));
    }

    /// <summary>The query parameters <c>CacheResponse</c> found the handler binds, plus the declared ones.</summary>
    private CacheKeyQueryNames QueryNamesOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<CacheKeyQueryNames>() ?? policy.DeclaredQuery;
}
