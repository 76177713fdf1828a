using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// Whether an origin answer may be kept, and keeping it: in Redis under the generations read before the
/// origin was asked (so a write that landed meanwhile stops it), then in the memory tier.
/// </summary>
internal sealed class EntryStore(CacheStoreGuard store, MemoryTier tier, IOptions<CacheLayerOptions> options)
{
    private readonly int _maxBodyBytes = options.Value.MaxBodySizeBytes;

    /// <summary>Why a response may not be stored or shared, if it may not; <paramref name="http"/>'s headers must be final.</summary>
    public CacheMissDetail? PrivacyOf(HttpResponse http, CacheEntry response) =>
        http.Headers.SetCookie.Count > 0 ? CacheMissDetail.SetCookie // a cookie is for one client only
        : response.CacheControl is { } cacheControl && IsPrivate(cacheControl) ? CacheMissDetail.Private
        : response.Body.Length > _maxBodyBytes ? CacheMissDetail.TooLarge
        : null;

    /// <summary>The generations of the request's path and tags, read before the origin is asked; null when the store did not answer.</summary>
    public async Task<CacheGenerations?> ReadGenerationsAsync(CacheRequest request)
    {
        var read = await store.RunAsync(request.Route, "generations", s => s.GetGenerationsAsync(request.Key.Path, request.Policy.Tags));
        return read.Succeeded ? read.Value : null;
    }

    public async Task<(bool Stored, CacheMissDetail Detail)> StoreAsync(CacheRequest request, CacheEntry response, CacheGenerations generations)
    {
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return (false, CacheMissDetail.None);
        }

        var set = await store.RunAsync(request.Route, "set", s => s.SetAsync(request.Key, response, generations, request.Policy.Tags, request.Stale.Grace));
        if (!set.Succeeded)
        {
            return (false, CacheMissDetail.StoreUnavailable);
        }
        if (set.Value != StoreOutcome.Stored)
        {
            return (false, set.Value == StoreOutcome.VariantLimit ? CacheMissDetail.VariantLimit : CacheMissDetail.Invalidated);
        }
        tier.Set(request.Key, response, request.Policy.Tags, request.Epoch);
        return (true, CacheMissDetail.None);
    }

    private static bool IsPrivate(string cacheControl) =>
        CacheControlHeaderValue.TryParse(cacheControl, out var parsed)
            ? parsed.Private || parsed.NoStore
            // Unparseable: err on the side of privacy.
            : true;
}
