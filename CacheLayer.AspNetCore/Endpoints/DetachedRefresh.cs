using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// A refresh of a cached response in a request of its own, apart from the client's, so that the client can
/// be answered from the grace copy and go while the origin is still asked (Varnish's background fetch). The
/// request runs through the application's pipeline after the layer's first middleware (<see cref="AppPipeline"/>),
/// on a copy of what the client's request carried: method, path, query, headers, connection addresses, user
/// and items, with its own DI scope and a <see cref="HttpContext.RequestAborted"/> that fires at the hard
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

    private DetachedRefresh(HttpContext source, RequestDelegate pipeline, TimeSpan hardTimeout, TimeProvider time)
    {
        _pipeline = pipeline;
        _deadline = hardTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(hardTimeout, time);
        _scope = source.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var context = _context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(_starting);
        // A GET has no body to limit, but endpoints with a size limit expect to be able to set one.
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(new BodySizeLimit());
        var from = source.Request;
        var to = context.Request;
        to.Method = from.Method;
        to.Scheme = from.Scheme;
        to.Host = from.Host;
        to.PathBase = from.PathBase;
        to.Path = from.Path;
        to.QueryString = from.QueryString;
        foreach (var header in from.Headers)
        {
            to.Headers[header.Key] = header.Value;
        }
        context.Connection.RemoteIpAddress = source.Connection.RemoteIpAddress;
        context.Connection.LocalIpAddress = source.Connection.LocalIpAddress;
        context.User = source.User;
        context.Items = new Dictionary<object, object?>(source.Items);
        context.RequestServices = _scope.ServiceProvider;
        context.RequestAborted = _deadline.Token;
        context.Features.Set(this);
    }

    /// <summary>What the handler answered, captured by the caching filter when it meets this refresh.</summary>
    public CacheEntry? Captured { get; set; }

    /// <summary>The response as the endpoint left it (headers a filter or the handler set, such as a cookie).</summary>
    public HttpResponse Response => _context.Response;

    /// <summary>The hard timeout passed.</summary>
    public bool TimedOut => _deadline.IsCancellationRequested;

    /// <summary>Null in a host whose pipeline the layer's start-up filter did not see (nothing to run).</summary>
    public static DetachedRefresh? For(HttpContext source, AppPipeline pipeline, TimeSpan hardTimeout, TimeProvider time) =>
        pipeline.AfterHook is { } rest ? new DetachedRefresh(source, rest, hardTimeout, time) : null;

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
        await _pipeline(_context);
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
