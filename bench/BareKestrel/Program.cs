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
//
// bench/gateway.sh uses it as the origin behind the caching proxies (CacheLayer.Gateway, Varnish, nginx):
//   GET /items/{n}        -> 1,024 bytes of JSON, Cache-Control: public, max-age=3600, ETag "item-<n>"
//                            (304 to a matching If-None-Match); each one counted
//   GET /origin/requests  -> how many /items requests reached it (text), so the script can tell hits from misses
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
        const string items = "/items/";
        if (path.StartsWith(items, StringComparison.Ordinal) && int.TryParse(path.AsSpan(items.Length), out var item) && item >= 0)
        {
            return Origin.Item(context, item);
        }
        if (path == "/origin/requests")
        {
            response.ContentType = "text/plain";
            return response.WriteAsync(Origin.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

/// <summary>bench/gateway.sh's origin: a cacheable 1 KiB item per number, and a count of the requests that reached it.</summary>
internal static class Origin
{
    private const int BodySize = 1024;
    private static readonly StringValues Cacheable = "public, max-age=3600";
    private static readonly StringValues Json = "application/json; charset=utf-8";
    private static long requests;

    public static long Requests => Interlocked.Read(ref requests);

    public static Task Item(HttpContext context, int item)
    {
        Interlocked.Increment(ref requests);
        var response = context.Response;
        var etag = $"\"item-{item}\"";
        response.Headers.CacheControl = Cacheable;
        response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        // {"id":<n>,"pad":"xxx…"}: padded to exactly 1,024 bytes.
        var head = $"{{\"id\":{item},\"pad\":\"";
        var body = Encoding.ASCII.GetBytes(head + new string('x', BodySize - head.Length - 2) + "\"}");
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.ContentType = Json;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }
}
