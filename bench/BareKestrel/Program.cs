// bench/run.sh's floor: the bytes CacheLayer.Api's /bench/ceiling answers, from a process with nothing but
// Kestrel in it. No service defaults, no OpenTelemetry, no middleware, no routing, no logging providers:
// one terminal request delegate (app.Run), so there is no endpoint routing either. Every ratio to it
// says what the whole stack around a cached answer costs (routing, telemetry, the service defaults and
// the layer), not the layer alone; the API's own /bench/ceiling row says what the stack without the
// layer costs.
//
// It answers as the API's posts list and /bench/ceiling page (page 1, or no page, is the posts list; any
// later page the empty list) on every path the hit scenarios use, so bench/pages.lua and the rest run
// against it unchanged:
//   GET /bench/ceiling[?page=n], GET /api/posts/[?page=n]  -> {"posts":["Cached post A","Cached post B"]} | {"posts":[]}
//   GET /bench/controller/{id}                             -> {"id":<id>,"name":"Cached item A, controller"} (the API's bench controller)
//   GET /alive                                             -> 200, empty (run.sh's readiness probe)
// anything else 404. Content type application/json; charset=utf-8, as the API's.
using System.Text;
using Microsoft.Extensions.Primitives;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();

var app = builder.Build();
app.Run(Bare.Answer);
app.Run();

internal static class Bare
{
    private static readonly byte[] Posts = "{\"posts\":[\"Cached post A\",\"Cached post B\"]}"u8.ToArray();
    private static readonly byte[] EmptyPage = "{\"posts\":[]}"u8.ToArray();
    private static readonly StringValues Json = "application/json; charset=utf-8";

    public static Task Answer(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }
        var path = request.Path.Value ?? "";
        if (path is "/api/posts/" or "/bench/ceiling")
        {
            return Write(response, Page(request.QueryString.Value) == 1 ? Posts : EmptyPage);
        }
        const string controller = "/bench/controller/";
        if (path.StartsWith(controller, StringComparison.Ordinal) && int.TryParse(path.AsSpan(controller.Length), out var id))
        {
            return Write(response, Encoding.UTF8.GetBytes($"{{\"id\":{id},\"name\":\"Cached item A, controller\"}}"));
        }
        if (path == "/alive")
        {
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>The <c>page</c> query parameter as bench/pages.lua sends it (<c>?page=n</c>); 1 when absent or not a number.</summary>
    private static long Page(string? query)
    {
        const string name = "page=";
        if (string.IsNullOrEmpty(query))
        {
            return 1;
        }
        var at = query.IndexOf(name, StringComparison.Ordinal);
        if (at < 0 || query[at - 1] is not ('?' or '&'))
        {
            return 1;
        }
        var value = query.AsSpan(at + name.Length);
        var end = value.IndexOf('&');
        return long.TryParse(end < 0 ? value : value[..end], out var page) ? page : 1;
    }

    private static Task Write(HttpResponse response, byte[] body)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.ContentType = Json;
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(response.HttpContext.Request.Method))
        {
            return Task.CompletedTask;
        }
        var write = response.BodyWriter.WriteAsync(body);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }
}
