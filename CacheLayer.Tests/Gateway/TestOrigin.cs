using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CacheLayer.Tests.Gateway;

/// <summary>What the origin received: method, path and query, and the request's header fields.</summary>
public sealed record OriginRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The gateway tests' own origin: a Kestrel app on a loopback port whose answers each test scripts per path
/// (status, header fields, body, or any handler, such as one that fails), and that records every request it
/// gets. A path nobody scripted answers 404 with <c>Cache-Control: no-store</c>.
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OriginRequest> _requests = new();
    private readonly WebApplication _app;

    private readonly TimeProvider _time;
    private int _disposed;

    private TestOrigin(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    /// <summary>The origin's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>
    /// Starts an origin whose <c>Date</c> is read from <paramref name="time"/> (the gateway's fake clock, so an answer
    /// produced after the test moved that clock is not taken for an old one), unless a script sets its own.
    /// </summary>
    public static async Task<TestOrigin> StartAsync(TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var origin = new TestOrigin(app, time ?? TimeProvider.System);
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        origin.Address = address.TrimEnd('/') + "/";
        return origin;
    }

    /// <summary>Scripts the answers to <paramref name="path"/> (without its query): every request runs <paramref name="handler"/>.</summary>
    public void On(string path, Func<HttpContext, Task> handler) => _handlers[path] = handler;

    /// <summary>Scripts a plain answer to <paramref name="path"/>: a status, header fields and a body (with its <c>Content-Length</c>).</summary>
    public void On(string path, int status, string body, params (string Name, string Value)[] headers) =>
        On(path, context => RespondAsync(context, status, body, headers));

    /// <summary>Writes a plain answer; for handlers that answer differently per request. A header named twice is sent twice.</summary>
    public static Task RespondAsync(HttpContext context, int status, string body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (set.Add(name))
            {
                context.Response.Headers[name] = value;
            }
            else
            {
                context.Response.Headers.Append(name, value);
            }
        }
        if (status is 204 or 304)
        {
            return Task.CompletedTask;
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }

    /// <summary>Every request the origin got for <paramref name="path"/> (query aside), in order.</summary>
    public IReadOnlyList<OriginRequest> Requests(string path) =>
        _requests.Where(request => request.PathAndQuery.Split('?')[0] == path).ToList();

    /// <summary>How many <paramref name="method"/> requests the origin got for <paramref name="path"/>.</summary>
    public int Count(string path, string method = "GET") => Requests(path).Count(request => request.Method == method);

    private async Task HandleAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new OriginRequest(context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value, headers));
        context.Response.Headers.Date = HttpDate(_time.GetUtcNow());
        if (_handlers.TryGetValue(context.Request.Path.Value ?? "", out var handler))
        {
            await handler(context);
            return;
        }
        await RespondAsync(context, 404, "not scripted", ("Cache-Control", "no-store"));
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> on the request's connection as they are, bypassing Kestrel's HTTP framing, then
    /// closes it: for answers Kestrel would never send (a body shorter than its <c>Content-Length</c> ended by a clean
    /// close, a broken chunked body).
    /// </summary>
    public static async Task WriteRawAndCloseAsync(HttpContext context, string bytes)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket
            ?? throw new InvalidOperationException("Kestrel's socket transport exposes no socket for this connection.");
        await socket.SendAsync(Encoding.ASCII.GetBytes(bytes), SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        context.Abort();
    }

    /// <summary>The header block of a raw HTTP/1.1 response, ending with the empty line.</summary>
    public static string RawHead(int status, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        return head.Append("\r\n").ToString();
    }

    /// <summary>An HTTP-date (IMF-fixdate), e.g. <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</summary>
    public static string HttpDate(DateTimeOffset at) => at.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stops the origin: from now on connections to it are refused. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}
