namespace CacheLayer.Api.Caching;

/// <summary>A response as the filter answers it: from an entry, or captured from the handler.</summary>
public sealed record CachedResponse(int StatusCode, string? ContentType, ReadOnlyMemory<byte> Body, string ETag)
{
    public static CachedResponse From(CacheEntry entry) => new(entry.StatusCode, entry.ContentType, entry.Body, entry.ETag);

    public static CachedResponse From(CapturedResponse response) =>
        new(response.StatusCode, response.ContentType, response.Body, EntityTag.For(response.ContentType, response.Body));
}
