using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Api;

/// <summary>
/// The demo's bodies are a few dozen bytes; anything past this is refused with 413 before it is read,
/// instead of Kestrel's 30 MB default.
/// </summary>
public static class RequestBodyLimit
{
    public const long MaxBytes = 16 * 1024;

    public static TBuilder WithDemoBodyLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitAttribute(MaxBytes));
}
