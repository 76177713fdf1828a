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
/// A store that fails or is slow only ever turns a hit into a miss.
/// </summary>
internal sealed class ResponseCacheFilter(
    CachePolicy policy,
    Func<EndpointFilterInvocationContext, string, object?> argumentLookup,
    CacheStoreGuard store,
    MemoryTier tier,
    SharedReads reads,
    Inflight<CacheEntry> misses,
    CacheStatistics statistics,
    CacheMetrics metrics,
    IOptions<CacheLayerOptions> options,
    TimeProvider time) : IEndpointFilter
{
    private readonly CacheLayerOptions _options = options.Value;
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

        var route = EndpointRoute.TemplateOf(context);
        var isPrivate = http.Headers.Authorization.Count > 0 || http.Headers.Cookie.Count > 0;
        var directives = RequestCacheDirectives.From(http);
        CacheBypassReason? bypass = CacheKeyQuery.IsBypass(http.Query) ? CacheBypassReason.Requested
            : directives.NoStore ? CacheBypassReason.NoStore
            : isPrivate && !policy.VaryByUser ? CacheBypassReason.Private
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
        var lookup = await reads.GetAsync(route, request.Key);
        if (lookup.Value is { } entry)
        {
            tier.Set(request.Key, entry, policy.Tags, request.Epoch);
            return Hit(request, entry, CacheTier.Redis);
        }
        return await MissAsync(request, next, CacheForward.Miss, lookup.Succeeded);
    }

    /// <summary>
    /// The origin answers, and its answer is stored unless a write moved the generations read before it
    /// was asked. A plain miss leads identical misses (or follows one already at the origin); a refresh
    /// the client asked for always asks the origin itself.
    /// </summary>
    private async Task<object?> MissAsync(CacheRequest request, EndpointFilterDelegate next, CacheForward forward, bool storeAnswered)
    {
        statistics.Miss(request.Key);
        metrics.Miss(request.Route);
        TaskCompletionSource<CacheEntry>? leader = null;
        if (forward == CacheForward.Miss && !misses.TryLead(request.Key, out leader))
        {
            return await FollowAsync(request, next, leader, storeAnswered);
        }

        CacheEntry response;
        StoreCallResult<CacheGenerations> generations = default;
        try
        {
            // Read before the origin is: a write that lands after this moves them, and the store below fails.
            // After a failed read the store is likely down: don't make the request wait for a second timeout.
            if (storeAnswered)
            {
                generations = await store.RunAsync(request.Route, "generations", s => s.GetGenerationsAsync(request.Key.Path, policy.Tags));
            }
            response = await OriginAsync(request, next);
        }
        catch (Exception exception) when (leader is not null)
        {
            misses.Fail(request.Key, leader, exception);
            throw;
        }
        if (leader is not null)
        {
            misses.Complete(request.Key, leader, response);
        }

        var (stored, detail) = generations.Succeeded
            ? await StoreAsync(request, response, generations.Value!)
            : (false, CacheMissDetail.StoreUnavailable);
        CacheHeaders.Miss(request.Response, forward, stored, detail);
        return Respond(request, response);
    }

    /// <summary>Answers with the leader's response; if it fails or is too slow, asks the origin, leaving storing to the leader.</summary>
    private async Task<object?> FollowAsync(CacheRequest request, EndpointFilterDelegate next, TaskCompletionSource<CacheEntry> leader, bool storeAnswered)
    {
        if (await WaitForAsync(leader) is { } collapsed)
        {
            metrics.Collapsed(request.Route);
            CacheHeaders.Collapsed(request.Response);
            return Respond(request, collapsed);
        }
        var own = await OriginAsync(request, next);
        CacheHeaders.Miss(request.Response, CacheForward.Miss, stored: false, storeAnswered ? CacheMissDetail.None : CacheMissDetail.StoreUnavailable);
        return Respond(request, own);
    }

    private async Task<(bool Stored, CacheMissDetail Detail)> StoreAsync(CacheRequest request, CacheEntry response, CacheGenerations generations)
    {
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return (false, CacheMissDetail.None);
        }
        if (request.Response.Headers.SetCookie.Count > 0)
        {
            return (false, CacheMissDetail.SetCookie); // a cookie is for one client only
        }

        var set = await store.RunAsync(request.Route, "set", s => s.SetAsync(request.Key, response, generations, policy.Tags));
        if (!set.Succeeded)
        {
            return (false, CacheMissDetail.StoreUnavailable);
        }
        if (!set.Value)
        {
            return (false, CacheMissDetail.Invalidated);
        }
        tier.Set(request.Key, response, policy.Tags, request.Epoch);
        return (true, CacheMissDetail.None);
    }

    private async ValueTask<object?> BypassAsync(CacheRequest request, EndpointFilterDelegate next, CacheBypassReason reason)
    {
        metrics.Bypass(request.Route, reason);
        CacheHeaders.Bypass(request.Response, reason);
        return Respond(request, await OriginAsync(request, next));
    }

    private BodyResult Hit(in CacheRequest request, CacheEntry entry, CacheTier from)
    {
        statistics.Hit(request.Key);
        metrics.Hit(request.Route, from);
        CacheHeaders.Hit(request.Response, entry, time.GetUtcNow(), from);
        return Respond(request, entry);
    }

    private async Task<CacheEntry> OriginAsync(CacheRequest request, EndpointFilterDelegate next) =>
        await ResponseCapture.ExecuteAsync(request.HttpContext, await next(request.Invocation), time.GetUtcNow(), policy.TimeToLive);

    private BodyResult Respond(in CacheRequest request, CacheEntry response)
    {
        CacheHeaders.Validators(request.Response, response, policy, request.IsPrivate);
        var notModified = response.StatusCode == StatusCodes.Status200OK && EntityTag.IsMatchedBy(request.HttpContext.Request, response.ETag);
        if (notModified)
        {
            metrics.NotModified(request.Route);
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
            CacheKeyVary.From(invocation.HttpContext, policy, _options.KeyPrefix));
    }

    /// <summary>The query parameters <c>CacheResponse</c> found the handler binds, plus the declared ones.</summary>
    private CacheKeyQueryNames QueryNamesOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<CacheKeyQueryNames>() ?? policy.DeclaredQuery;
}
