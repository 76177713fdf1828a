using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// Serves one GET or HEAD of a cached endpoint, top to bottom: the bypass rules, the key, the memory tier,
/// Redis (entry, else grace copy), and on a miss the origin. A hit is answered here, before model binding,
/// MVC or any handler runs. A request whose bound values do not parse goes to the app untouched (its 400 is
/// neither looked up nor stored); <c>no-cache</c> skips the read and refreshes the entry.
/// </summary>
internal sealed class CachedResponses(
    BypassRules bypassRules, TieredLookup lookup, CachedAnswers answers, MissFlow misses, StaleFlow stale, IOptions<CacheLayerOptions> options)
{
    private readonly string _userKeySalt = options.Value.UserKeySalt ?? "";
    private readonly int _maxKeyLength = options.Value.MaxKeyLength;

    public Task ServeAsync(HttpContext context, CachedEndpoint endpoint, RequestDelegate next)
    {
        var directives = RequestCacheDirectives.From(context.Request);
        var bypass = bypassRules.Of(context, endpoint.Policy, directives, out var isPrivate);
        var key = default(CacheKey);
        if (bypass is null)
        {
            if (!endpoint.TryKey(context, _userKeySalt, out key))
            {
                return next(context);
            }
            if (key.Value.Length > _maxKeyLength)
            {
                bypass = CacheBypassReason.KeyTooLong;
            }
        }
        var request = new CacheRequest(context, endpoint, next, key, isPrivate);
        if (bypass is { } reason)
        {
            return BypassAsync(request, reason);
        }
        if (directives.NoCache)
        {
            return misses.MissAsync(request with { Epoch = lookup.Epoch }, CacheForward.Request, storeAnswered: true);
        }
        if (lookup.TryMemory(request.Key, out var remembered))
        {
            return answers.HitAsync(request, remembered, CacheTier.Memory);
        }
        return LookUpAsync(request with { Epoch = lookup.Epoch });
    }

    private async Task LookUpAsync(CacheRequest request)
    {
        var found = await lookup.ReadAsync(request);
        if (found.Entry is { } entry)
        {
            await answers.HitAsync(request, entry, CacheTier.Redis);
        }
        else if (found is { Copy: { } copy, Generations: { } generations })
        {
            await stale.WithCopyAsync(request, copy, generations);
        }
        else
        {
            await misses.MissAsync(request, CacheForward.Miss, found.StoreAnswered, found.Generations);
        }
    }

    private async Task BypassAsync(CacheRequest request, CacheBypassReason reason)
    {
        answers.CountBypass(request, reason);
        if (await misses.CallOriginAsync(request) is { } response)
        {
            await answers.RespondAsync(request, response);
        }
    }
}
