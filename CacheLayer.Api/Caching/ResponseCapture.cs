using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CacheLayer.Api.Caching;

/// <summary>Runs a handler's result into memory, so its exact bytes can be both stored and sent.</summary>
public static class ResponseCapture
{
    public static async Task<CapturedResponse> ExecuteAsync(HttpContext context, object? handlerResult)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await AsResult(handlerResult).ExecuteAsync(context);
            await capture.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }
        return new CapturedResponse(context.Response.StatusCode, context.Response.ContentType, buffer.ToArray(),
            SetsCookie: context.Response.Headers.SetCookie.Count > 0);
    }

    // What the framework would have done with a handler's plain return value.
    private static IResult AsResult(object? value) => value switch
    {
        IResult result => result,
        null => Results.Empty,
        string text => Results.Text(text),
        _ => Results.Json(value),
    };
}

public sealed record CapturedResponse(int StatusCode, string? ContentType, byte[] Body, bool SetsCookie = false);
