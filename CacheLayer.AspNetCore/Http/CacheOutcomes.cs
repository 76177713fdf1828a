namespace CacheLayer.AspNetCore.Http;

/// <summary>Why a request neither read nor wrote the cache; rendered in <c>Cache-Status</c> and the bypass counter.</summary>
internal enum CacheBypassReason
{
    /// <summary><c>?nocache=true</c>.</summary>
    Requested,
    /// <summary><c>Cache-Control: no-store</c>.</summary>
    NoStore,
    /// <summary>Credentials on a route that does not vary by user.</summary>
    Private,
    /// <summary>The key is longer than <see cref="CacheLayerOptions.MaxKeyLength"/>.</summary>
    KeyTooLong,
    /// <summary>A signed-in user on a <c>varyByUser</c> route whose identity has no stable id to key by.</summary>
    NoUserId,
    /// <summary>A new variant of a path that already has <see cref="CacheLayerOptions.MaxVariantsPerPath"/> stored.</summary>
    VariantLimit,
}

/// <summary>Why the origin was asked (RFC 9211 <c>fwd</c>).</summary>
internal enum CacheForward
{
    /// <summary>Nothing usable was cached.</summary>
    Miss,
    /// <summary>The client asked for a fresh answer (<c>no-cache</c>, <c>max-age=0</c>).</summary>
    Request,
}

/// <summary>Why a response from the origin was not stored, when that is worth telling.</summary>
internal enum CacheMissDetail
{
    None,
    StoreUnavailable,
    SetCookie,
    Invalidated,
    /// <summary>The handler marked the response <c>Cache-Control: private</c> or <c>no-store</c>.</summary>
    Private,
    /// <summary>The body outgrew <see cref="CacheLayerOptions.MaxBodySizeBytes"/> and was streamed, not kept.</summary>
    TooLarge,
    /// <summary>A new variant beyond <see cref="CacheLayerOptions.MaxVariantsPerPath"/>: answered as a <see cref="CacheBypassReason.VariantLimit"/> bypass.</summary>
    VariantLimit,
}

internal static class CacheOutcomeNames
{
    /// <summary>As written in <c>Cache-Status</c> details and in the <c>cachelayer.reason</c> tag.</summary>
    public static string Name(this CacheBypassReason reason) => reason switch
    {
        CacheBypassReason.Requested => "requested",
        CacheBypassReason.NoStore => "no-store",
        CacheBypassReason.Private => "private",
        CacheBypassReason.KeyTooLong => "key-too-long",
        CacheBypassReason.NoUserId => "no-user-id",
        CacheBypassReason.VariantLimit => "variant-limit",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static string? Name(this CacheMissDetail detail) => detail switch
    {
        CacheMissDetail.None => null,
        CacheMissDetail.StoreUnavailable => "store-unavailable",
        CacheMissDetail.SetCookie => "set-cookie",
        CacheMissDetail.Invalidated => "invalidated",
        CacheMissDetail.Private => "private",
        CacheMissDetail.TooLarge => "too-large",
        CacheMissDetail.VariantLimit => "variant-limit",
        _ => throw new ArgumentOutOfRangeException(nameof(detail)),
    };
}
