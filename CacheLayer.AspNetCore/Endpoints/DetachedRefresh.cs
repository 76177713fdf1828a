using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// A refresh of a cached response in a request of its own, apart from the client's, so that the client can
/// be answered from the grace copy and go while the origin is still asked (Varnish's background fetch). The
/// endpoint runs again, its filters and handler but not the middleware, on a copy of what the client's
/// request carried: method, path, query, headers, route values, user and items, with its own DI scope and a
/// <see cref="HttpContext.RequestAborted"/> that fires at the hard timeout.
/// </summary>
internal sealed class DetachedRefresh : IAsyncDisposable
{
    private readonly DefaultHttpContext _context;
    private readonly AsyncServiceScope _scope;
    private readonly CancellationTokenSource _deadline;
    private readonly RequestDelegate _endpoint;

    private DetachedRefresh(HttpContext source, RequestDelegate endpoint, Endpoint metadata, TimeSpan hardTimeout, TimeProvider time)
    {
        _endpoint = endpoint;
        _deadline = hardTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(hardTimeout, time);
        _scope = source.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var context = _context = new DefaultHttpContext();
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
        to.RouteValues = new RouteValueDictionary(from.RouteValues);
        context.Connection.RemoteIpAddress = source.Connection.RemoteIpAddress;
        context.Connection.LocalIpAddress = source.Connection.LocalIpAddress;
        context.User = source.User;
        context.Items = new Dictionary<object, object?>(source.Items);
        context.RequestServices = _scope.ServiceProvider;
        context.RequestAborted = _deadline.Token;
        context.SetEndpoint(metadata);
        context.Features.Set(this);
    }

    /// <summary>What the handler answered, captured by the caching filter when it meets this refresh.</summary>
    public CacheEntry? Captured { get; set; }

    /// <summary>The response as the endpoint left it (headers a filter or the handler set, such as a cookie).</summary>
    public HttpResponse Response => _context.Response;

    /// <summary>The hard timeout passed.</summary>
    public bool TimedOut => _deadline.IsCancellationRequested;

    /// <summary>Null when the client's request is not at a routed endpoint (nothing to run again).</summary>
    public static DetachedRefresh? For(HttpContext source, TimeSpan hardTimeout, TimeProvider time) =>
        source.GetEndpoint() is { RequestDelegate: { } endpoint } metadata
            ? new DetachedRefresh(source, endpoint, metadata, hardTimeout, time)
            : null;

    /// <summary>
    /// Runs the endpoint; <see cref="Captured"/> then holds its answer (a throw propagates). Call it on a flow
    /// that does not carry the client's request (<see cref="ExecutionContext.SuppressFlow"/>), so that
    /// <see cref="IHttpContextAccessor"/> here sees this request and nothing touches the client's.
    /// </summary>
    public async Task RunAsync()
    {
        if (_context.RequestServices.GetService<IHttpContextAccessor>() is { } accessor)
        {
            accessor.HttpContext = _context;
        }
        await _endpoint(_context);
    }

    public async ValueTask DisposeAsync()
    {
        _deadline.Dispose();
        await _scope.DisposeAsync();
    }
}
