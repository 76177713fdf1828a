using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Caches a GET (and HEAD) endpoint's 200 responses as its <see cref="CachePolicy"/> says. A hit is one
/// store read; a miss runs the handler (once per key at a time: identical misses wait for it), sends
/// its bytes and stores them unless a write invalidated the path meanwhile. <c>?nocache=true</c>,
/// <c>Cache-Control: no-store</c> and requests with credentials (unless the endpoint varies by user)
/// neither read nor write; <c>Cache-Control: no-cache</c> skips the read and refreshes the entry.
/// A store that fails or is slow only ever turns a hit into a miss.
/// </summary>
public sealed class ResponseCacheFilter(
    CachePolicy policy,
    Func<EndpointFilterInvocationContext, string, object?> argumentLookup,
    CacheStoreGuard store,
    MemoryTier tier,
    Inflight<StoreCallResult<CacheEntry?>> reads,
    Inflight<CapturedResponse> inflight,
    CacheStatistics statistics,
    CacheMetrics metrics,
    IOptions<ResponseCachingOptions> options,
    TimeProvider time) : IEndpointFilter
{
    private readonly ResponseCachingOptions _options = options.Value;
    private CacheKeyTemplate? _template;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return await next(invocation);
        }

        var route = EndpointRoute.TemplateOf(context);
        var directives = RequestCacheDirectives.From(request);
        var privateRequest = request.Headers.Authorization.Count > 0 || request.Headers.Cookie.Count > 0;
        var bypass = CacheKeyQuery.IsBypass(request.Query) ? "requested"
            : directives.NoStore ? "no-store"
            : privateRequest && !policy.VaryByUser ? "private"
            : null;
        if (bypass is not null)
        {
            return await BypassAsync(invocation, next, route, bypass, privateRequest);
        }

        var template = TemplateFor(context);
        var key = new CacheKey(
            template.FixedPath ?? template.FillPath(invocation, argumentLookup),
            CacheKeyQuery.From(request.Query),
            CacheKeyVary.From(context, policy, _options.KeyPrefix));
        if (key.Value.Length > _options.MaxKeyLength)
        {
            return await BypassAsync(invocation, next, route, "key-too-long", privateRequest);
        }

        if (directives.NoCache)
        {
            return await RefreshAsync(invocation, next, route, key, privateRequest);
        }

        if (tier.TryGet(key, out var remembered))
        {
            return Hit(context, route, key, remembered, CacheTier.Memory, privateRequest);
        }

        var epoch = tier.Epoch;
        var lookup = await LookupAsync(route, key);
        if (lookup.Value is { } entry)
        {
            tier.Set(key, entry, policy.Tags, epoch);
            return Hit(context, route, key, entry, CacheTier.Redis, privateRequest);
        }

        statistics.Miss(key);
        metrics.Miss(route);
        if (!inflight.TryLead(key, out var leader))
        {
            if (await FollowAsync(leader) is { } collapsed)
            {
                metrics.Collapsed(route);
                CacheHeaders.Collapsed(context.Response);
                return Respond(context, CachedResponse.From(collapsed), route, privateRequest);
            }
            // The leader failed or is too slow: ask the origin ourselves, and leave storing to the leader.
            var own = await ResponseCapture.ExecuteAsync(context, await next(invocation));
            CacheHeaders.Miss(context.Response, stored: false, lookup.Succeeded ? null : "store-unavailable");
            return Respond(context, CachedResponse.From(own), route, privateRequest);
        }

        CapturedResponse response;
        StoreCallResult<CacheGenerations> generations = default;
        try
        {
            // Read before the origin is: a write that lands after this moves them, and the store below fails.
            if (lookup.Succeeded)
            {
                generations = await store.RunAsync(route, "generations", s => s.GetGenerationsAsync(key.Path, policy.Tags));
            }
            response = await ResponseCapture.ExecuteAsync(context, await next(invocation));
        }
        catch (Exception exception)
        {
            inflight.Fail(key, leader, exception);
            throw;
        }
        inflight.Complete(key, leader, response);

        var cached = CachedResponse.From(response);
        // After a failed read the store is likely down: don't make the request wait for a second timeout.
        var (stored, detail) = generations.Succeeded
            ? await StoreAsync(route, key, response, cached, generations.Value!, epoch)
            : (false, "store-unavailable");
        CacheHeaders.Miss(context.Response, stored, detail);
        return Respond(context, cached, route, privateRequest);
    }

    /// <summary><c>Cache-Control: no-cache</c>: the origin answers, and its answer replaces the entry.</summary>
    private async Task<object?> RefreshAsync(
        EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, string route, CacheKey key, bool privateRequest)
    {
        var context = invocation.HttpContext;
        statistics.Miss(key);
        metrics.Miss(route);
        var epoch = tier.Epoch;
        var generations = await store.RunAsync(route, "generations", s => s.GetGenerationsAsync(key.Path, policy.Tags));
        var response = await ResponseCapture.ExecuteAsync(context, await next(invocation));
        var cached = CachedResponse.From(response);
        var (stored, detail) = generations.Succeeded
            ? await StoreAsync(route, key, response, cached, generations.Value!, epoch)
            : (false, "store-unavailable");
        CacheHeaders.Miss(context.Response, stored, detail, forward: "request");
        return Respond(context, cached, route, privateRequest);
    }

    private async Task<(bool Stored, string? Detail)> StoreAsync(
        string route, CacheKey key, CapturedResponse response, CachedResponse cached, CacheGenerations generations, long epoch)
    {
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return (false, null);
        }
        if (response.SetsCookie)
        {
            return (false, "set-cookie"); // a cookie is for one client only
        }

        var now = time.GetUtcNow();
        var entry = new CacheEntry(response.StatusCode, response.ContentType, cached.ETag, response.Body, now, now + policy.TimeToLive);
        var set = await store.RunAsync(route, "set", s => s.SetAsync(key, entry, generations, policy.Tags));
        if (set.Succeeded && set.Value)
        {
            tier.Set(key, entry, policy.Tags, epoch);
        }
        return set.Succeeded ? (set.Value, set.Value ? null : "invalidated") : (false, "store-unavailable");
    }

    private async ValueTask<object?> BypassAsync(
        EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, string route, string reason, bool privateRequest)
    {
        var context = invocation.HttpContext;
        metrics.Bypass(route, reason);
        CacheHeaders.Bypass(context.Response, reason);
        var response = await ResponseCapture.ExecuteAsync(context, await next(invocation));
        return Respond(context, CachedResponse.From(response), route, privateRequest);
    }

    private BodyResult Hit(HttpContext context, string route, CacheKey key, CacheEntry entry, CacheTier from, bool privateRequest)
    {
        statistics.Hit(key);
        metrics.Hit(route, from);
        CacheHeaders.Hit(context.Response, entry, time.GetUtcNow(), from);
        return Respond(context, CachedResponse.From(entry), route, privateRequest);
    }

    /// <summary>One Redis read per key at a time: concurrent lookups of the same key share it.</summary>
    private async Task<StoreCallResult<CacheEntry?>> LookupAsync(string route, CacheKey key)
    {
        if (!reads.TryLead(key, out var leader))
        {
            return await leader.Task;
        }
        var lookup = await store.RunAsync(route, "get", s => s.GetAsync(key));
        reads.Complete(key, leader, lookup);
        return lookup;
    }

    private BodyResult Respond(HttpContext context, CachedResponse response, string route, bool privateRequest)
    {
        CacheHeaders.Validators(context.Response, response, policy, privateRequest);
        var notModified = response.StatusCode == StatusCodes.Status200OK && EntityTag.IsMatchedBy(context.Request, response.ETag);
        if (notModified)
        {
            metrics.NotModified(route);
        }
        return new BodyResult(response, notModified);
    }

    private async Task<CapturedResponse?> FollowAsync(TaskCompletionSource<CapturedResponse> leader)
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

    private CacheKeyTemplate TemplateFor(HttpContext context) =>
        _template ??= context.GetEndpoint() is RouteEndpoint endpoint
            ? CacheKeyTemplate.FromRoute(HttpMethods.Get, endpoint.RoutePattern)
            : throw new InvalidOperationException("Response caching needs a routed endpoint.");
}
