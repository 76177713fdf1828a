using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Http;

/// <summary>Runs a handler's result into memory, so its exact bytes can be both stored and sent.</summary>
internal static class ResponseCapture
{
    /// <summary>The response the handler's result writes, as an entry produced now and expiring after <paramref name="timeToLive"/>.</summary>
    public static async Task<CacheEntry> ExecuteAsync(HttpContext context, object? handlerResult, DateTimeOffset now, TimeSpan timeToLive)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await AsResult(context, handlerResult).ExecuteAsync(context);
            await capture.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }
        var response = context.Response;
        var body = buffer.ToArray();
        return new CacheEntry(response.StatusCode, response.ContentType, EntityTag.For(response.ContentType, body), body, now, now + timeToLive);
    }

    // What the framework would have done with a handler's plain return value. JSON goes through the
    // host's serializer options (their resolvers), so a trimmed or Native AOT host needs no reflection.
    private static IResult AsResult(HttpContext context, object? value) => value switch
    {
        IResult result => result,
        null => Results.Empty,
        string text => Results.Text(text),
        _ => Results.Json(value, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(value.GetType())),
    };
}
