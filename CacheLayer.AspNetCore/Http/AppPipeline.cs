using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// The application's request pipeline after the layer's own first middleware: middleware, routing and
/// endpoints. A refresh runs through it as a request of its own would, so the response it stores is the one
/// a client's request would have got (localization, authentication and the like included).
/// </summary>
internal sealed class AppPipeline
{
    /// <summary>Set when the host builds its pipeline; null in a host built without the layer's start-up filter.</summary>
    public RequestDelegate? AfterHook { get; set; }
}
