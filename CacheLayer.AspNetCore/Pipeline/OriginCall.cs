using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// The origin's call for a miss, bounded by the hard timeout: <see cref="HttpContext.RequestAborted"/> (which
/// the handler's <see cref="CancellationToken"/> binds to) is swapped for a token that fires at the timeout or
/// when the client goes. The origin runs on the request's own context, so after a 504 the middleware still
/// waits for <see cref="Settled"/> before it returns: the server must not reuse the context while the handler
/// may still touch it.
/// </summary>
internal sealed class OriginCall<T> : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _client;
    private readonly Task _stopped;
    private readonly HttpContext _context;
    private readonly CancellationToken _requestAborted;
    private volatile bool _clientLeft;

    public OriginCall(HttpContext context, Func<Task<T>> origin, TimeSpan hardTimeout, TimeProvider time)
    {
        _context = context;
        _requestAborted = context.RequestAborted;
        _deadline = hardTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(hardTimeout, time);
        _client = _requestAborted.UnsafeRegister(static state =>
        {
            var call = (OriginCall<T>)state!;
            call._clientLeft = true;
            call._deadline.Cancel();
        }, this);
        _stopped = Task.Delay(Timeout.InfiniteTimeSpan, _deadline.Token);
        context.RequestAborted = _deadline.Token;
        Handler = InvokeAsync(origin);
        Settled = Handler.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>What the origin's call came to.</summary>
    public Task<T> Handler { get; }

    /// <summary>Completes when the origin has, however it ended; never faults.</summary>
    public Task Settled { get; }

    /// <summary>The hard timeout passed (a handler that honours its token then ends with a cancellation).</summary>
    public bool TimedOut => _deadline.IsCancellationRequested && !_clientLeft;

    /// <summary>Waits until the origin ends, the hard timeout passes or the client goes, whichever is first.</summary>
    public async Task WaitAsync()
    {
        if (!Handler.IsCompleted)
        {
            await Task.WhenAny(Handler, _stopped);
        }
    }

    // An origin that throws before its first await ends its task faulted, as any other.
    private static async Task<T> InvokeAsync(Func<Task<T>> origin) => await origin();

    /// <summary>Gives the request its own token back (to answer it while the origin still runs, which keeps the one it got).</summary>
    public void RestoreRequestAborted() => _context.RequestAborted = _requestAborted;

    /// <summary>Call once the origin has <see cref="Settled"/>: gives the request its own token back.</summary>
    public void Dispose()
    {
        RestoreRequestAborted();
        _client.Dispose();
        _deadline.Dispose();
    }
}
