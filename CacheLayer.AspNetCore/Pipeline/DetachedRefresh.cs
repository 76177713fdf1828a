using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// A refresh of a cached response in a request of its own, apart from the client's, so that the client can
/// be answered from the grace copy and go while the origin is still asked (Varnish's background fetch). The
/// request runs through the rest of the application's pipeline after the layer's middleware (its own
/// <c>next</c>), on a copy of what the client's request carried: path, query, headers (not the client's
/// conditional and range headers: the refresh asks for the full GET), route values and endpoint, connection
/// addresses, user and items, with its own DI scope and a <see cref="HttpContext.RequestAborted"/> that fires at the hard
/// timeout. Its response's <c>OnStarting</c> callbacks run once the pipeline is done, so a cookie that
/// middleware adds then is seen before anything is stored.
/// </summary>
internal sealed class DetachedRefresh : IAsyncDisposable
{
    private readonly DefaultHttpContext _context;
    private readonly AsyncServiceScope _scope;
    private readonly CancellationTokenSource _deadline;
    private readonly RequestDelegate _pipeline;
    private readonly StartingCallbacks _starting = new();

    private readonly TimeProvider _time;
    private readonly TimeSpan _timeToLive;
    private readonly int _maxBodyBytes;

    /// <summary>A refresh of <paramref name="request"/>'s entry; copies what it needs from the client's request now.</summary>
    public DetachedRefresh(in CacheRequest request, TimeProvider time, int maxBodyBytes)
    {
        var source = request.HttpContext;
        var hardTimeout = request.Stale.OriginHardTimeout;
        _pipeline = request.Next;
        _time = time;
        _timeToLive = request.Policy.TimeToLive;
        _maxBodyBytes = maxBodyBytes;
        _deadline = hardTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(hardTimeout, time);
        _scope = source.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var context = _context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(_starting);
        // A GET has no body to limit, but endpoints with a size limit expect to be able to set one.
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(new BodySizeLimit());
        CopyAsFullGet(source, context);
        context.User = source.User;
        context.Items = new Dictionary<object, object?>(source.Items);
        context.RequestServices = _scope.ServiceProvider;
        context.RequestAborted = _deadline.Token;
    }

    /// <summary>
    /// Makes <paramref name="to"/> the full GET of what <paramref name="source"/> asked: path, query, headers (not the
    /// client's conditional and range headers), route values, endpoint and connection addresses.
    /// </summary>
    public static void CopyAsFullGet(HttpContext source, HttpContext to)
    {
        var from = source.Request;
        var request = to.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = from.Scheme;
        request.Host = from.Host;
        request.PathBase = from.PathBase;
        request.Path = from.Path;
        request.QueryString = from.QueryString;
        foreach (var header in from.Headers)
        {
            if (!IsClientOnly(header.Key))
            {
                request.Headers[header.Key] = header.Value;
            }
        }
        request.RouteValues = new RouteValueDictionary(from.RouteValues);
        to.SetEndpoint(source.GetEndpoint());
        to.Connection.RemoteIpAddress = source.Connection.RemoteIpAddress;
        to.Connection.LocalIpAddress = source.Connection.LocalIpAddress;
    }

    /// <summary>What the origin answered; null when it threw, or its body outgrew the limit (<see cref="TooLarge"/>).</summary>
    public CacheEntry? Captured { get; private set; }

    /// <summary>The origin's body outgrew <see cref="CacheLayerOptions.MaxBodySizeBytes"/>: not kept.</summary>
    public bool TooLarge { get; private set; }

    /// <summary>The response as the endpoint left it (headers a filter or the handler set, such as a cookie).</summary>
    public HttpResponse Response => _context.Response;

    /// <summary>The hard timeout passed.</summary>
    public bool TimedOut => _deadline.IsCancellationRequested;

    private static bool IsClientOnly(string header) =>
        header.Equals(HeaderNames.IfNoneMatch, StringComparison.OrdinalIgnoreCase)
        || header.Equals(HeaderNames.IfModifiedSince, StringComparison.OrdinalIgnoreCase)
        || header.Equals(HeaderNames.IfMatch, StringComparison.OrdinalIgnoreCase)
        || header.Equals(HeaderNames.IfUnmodifiedSince, StringComparison.OrdinalIgnoreCase)
        || header.Equals(HeaderNames.IfRange, StringComparison.OrdinalIgnoreCase)
        || header.Equals(HeaderNames.Range, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs the request; <see cref="Captured"/> then holds the handler's answer, unless it threw (then
    /// <see cref="Response"/> says what the app's error handling made of it, if anything). Call it on a flow
    /// that does not carry the client's request (<see cref="ExecutionContext.SuppressFlow"/>), so that
    /// <see cref="IHttpContextAccessor"/> here sees this request and nothing touches the client's.
    /// </summary>
    public async Task RunAsync()
    {
        if (_context.RequestServices.GetService<IHttpContextAccessor>() is { } accessor)
        {
            accessor.HttpContext = _context;
        }
        Captured = await ResponseCapture.RunAsync(_context, _pipeline, _time, _timeToLive, _maxBodyBytes, _ => TooLarge = true);
        await _starting.StartAsync();
    }

    private sealed class BodySizeLimit : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; }
    }

    /// <summary>A response feature that keeps <c>OnStarting</c> callbacks and runs them, last registered first, when asked.</summary>
    private sealed class StartingCallbacks : HttpResponseFeature
    {
        private readonly Stack<(Func<object, Task> Callback, object State)> _callbacks = new();

        public override void OnStarting(Func<object, Task> callback, object state) => _callbacks.Push((callback, state));

        public async Task StartAsync()
        {
            while (_callbacks.TryPop(out var starting))
            {
                await starting.Callback(starting.State);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _deadline.Dispose();
        await _scope.DisposeAsync();
    }
}
