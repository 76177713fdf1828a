using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// The handler's call for a miss with no grace copy, bounded by the hard timeout: the handler's
/// <see cref="CancellationToken"/> arguments and <see cref="HttpContext.RequestAborted"/> are swapped for a
/// token that fires at the timeout or when the client goes. The handler runs on the request's own context,
/// so after a 504 the filter still waits for <see cref="Settled"/> before it returns: the server must not
/// reuse the context while the handler may still touch it.
/// </summary>
internal sealed class OriginCall : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _client;
    private readonly Task _stopped;
    private readonly HttpContext _context;
    private readonly CancellationToken _requestAborted;
    private volatile bool _clientLeft;

    private OriginCall(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, TimeSpan hardTimeout, TimeProvider time)
    {
        var context = _context = invocation.HttpContext;
        _requestAborted = context.RequestAborted;
        _deadline = hardTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(hardTimeout, time);
        _client = _requestAborted.UnsafeRegister(static state =>
        {
            var call = (OriginCall)state!;
            call._clientLeft = true;
            call._deadline.Cancel();
        }, this);
        var token = _deadline.Token;
        _stopped = Task.Delay(Timeout.InfiniteTimeSpan, token);
        context.RequestAborted = token;
        for (var i = 0; i < invocation.Arguments.Count; i++)
        {
            if (invocation.Arguments[i] is CancellationToken)
            {
                invocation.Arguments[i] = token;
            }
        }
        Handler = InvokeAsync(next, invocation);
        Settled = Handler.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The handler's result (what it returned, not yet written).</summary>
    public Task<object?> Handler { get; }

    /// <summary>Completes when the handler has, however it ended; never faults.</summary>
    public Task Settled { get; }

    /// <summary>The hard timeout passed (a handler that honours its token then ends with a cancellation).</summary>
    public bool TimedOut => _deadline.IsCancellationRequested && !_clientLeft;

    public static OriginCall Start(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, TimeSpan hardTimeout, TimeProvider time) =>
        new(invocation, next, hardTimeout, time);

    /// <summary>Waits until the handler ends, the hard timeout passes or the client goes, whichever is first.</summary>
    public async Task WaitAsync()
    {
        if (!Handler.IsCompleted)
        {
            await Task.WhenAny(Handler, _stopped);
        }
    }

    // A handler that throws before its first await ends its task faulted, as any other.
    private static async Task<object?> InvokeAsync(EndpointFilterDelegate next, EndpointFilterInvocationContext invocation) => await next(invocation);

    /// <summary>Call once the handler has <see cref="Settled"/>: gives the request its own token back.</summary>
    public void Dispose()
    {
        _context.RequestAborted = _requestAborted;
        _client.Dispose();
        _deadline.Dispose();
    }
}
