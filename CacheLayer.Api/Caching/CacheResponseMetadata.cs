namespace CacheLayer.Api.Caching;

/// <summary>Endpoint metadata: this GET endpoint's 200 responses are cached for <see cref="TimeToLive"/>.</summary>
public sealed record CacheResponseMetadata(TimeSpan TimeToLive);

/// <summary>Endpoint metadata: a successful call invalidates these cache key templates.</summary>
public sealed record InvalidatesCacheMetadata(IReadOnlyList<string> KeyTemplates);
