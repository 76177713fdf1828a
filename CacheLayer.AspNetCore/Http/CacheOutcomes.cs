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
    /// <summary>Only a grace copy was cached: past its TTL, kept to answer if the origin fails or is slow.</summary>
    Stale,
}

/// <summary>Why a grace copy answered instead of the origin; rendered in <c>Cache-Status</c> and the stale counter.</summary>
internal enum StaleReason
{
    /// <summary>Within the stale-while-revalidate window: answered at once, refreshed in the background.</summary>
    WhileRevalidate,
    /// <summary>The origin took longer than the soft timeout; its answer refreshes the entry when it comes.</summary>
    SoftTimeout,
    /// <summary>The origin threw.</summary>
    OriginError,
    /// <summary>The origin answered a 5xx.</summary>
    OriginStatus,
    /// <summary>The origin did not answer within the hard timeout.</summary>
    OriginTimeout,
    /// <summary>A refresh's answer may not be kept (too large, private): the copy answers while the origin backs off.</summary>
    Unstorable,
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
    /// <summary>The origin did not answer within the hard timeout and there was no grace copy: a 504.</summary>
    OriginTimeout,
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
        CacheMissDetail.OriginTimeout => "origin-timeout",
        _ => throw new ArgumentOutOfRangeException(nameof(detail)),
    };

    /// <summary>As written in the <c>cachelayer.reason</c> tag of the stale counter.</summary>
    public static string Name(this StaleReason reason) => reason switch
    {
        StaleReason.WhileRevalidate => "stale-while-revalidate",
        StaleReason.SoftTimeout => "soft-timeout",
        StaleReason.OriginError => "origin-error",
        StaleReason.OriginStatus => "origin-status",
        StaleReason.OriginTimeout => "origin-timeout",
        StaleReason.Unstorable => "unstorable",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>As written in <c>Cache-Status</c>: RFC 5861's names; the three origin failures are all <c>stale-if-error</c>.</summary>
    public static string Detail(this StaleReason reason) => reason switch
    {
        StaleReason.WhileRevalidate => "stale-while-revalidate",
        StaleReason.SoftTimeout => "soft-timeout",
        StaleReason.Unstorable => "unstorable",
        _ => "stale-if-error",
    };
}
