using System.Collections.Concurrent;
using System.Diagnostics;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// Records every span the named activity sources start in this process while it lives (whatever the hosts'
/// own samplers say), as a tracer would. Spans of other tests running at the same time are recorded too:
/// tell a test's own by the trace id it sent.
/// </summary>
public sealed class RecordedSpans : IDisposable
{
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public RecordedSpans(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Spans as they start: what a call that has not returned yet already made.</summary>
    public IReadOnlyCollection<Activity> Started => _started;

    public IReadOnlyCollection<Activity> Stopped => _stopped;

    public IEnumerable<Activity> OfTrace(ActivityTraceId traceId) => _stopped.Where(span => span.TraceId == traceId);

    /// <summary>A request carrying a sampled W3C <c>traceparent</c> of a trace of its own.</summary>
    public static HttpRequestMessage TracedGet(string path, out ActivityTraceId traceId)
    {
        traceId = ActivityTraceId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return request;
    }

    public void Dispose() => _listener.Dispose();
}
