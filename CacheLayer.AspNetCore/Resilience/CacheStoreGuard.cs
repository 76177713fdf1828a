using CacheLayer.AspNetCore.Diagnostics;
using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Resilience;

/// <summary>
/// Runs every call to the cache store within <see cref="CacheLayerOptions.OperationTimeout"/>,
/// times it, and turns a failure into "no answer" (opening the <see cref="CacheCircuit"/>) so the
/// request goes to the origin instead of failing. While the circuit is open, calls are not made at all.
/// Each call made inside a recorded request is also a span of that request (<see cref="CacheTracing"/>).
/// </summary>
internal sealed partial class CacheStoreGuard(
    IResponseCacheStore store,
    CacheCircuit circuit,
    CacheMetrics metrics,
    IOptions<CacheLayerOptions> options,
    TimeProvider time,
    ILogger<CacheStoreGuard> logger)
{
    private readonly TimeSpan _timeout = options.Value.OperationTimeout;

    /// <summary>
    /// The whole of one invalidation: many chunks on a healthy store may take longer than one request's
    /// call (the store bounds each round trip by <see cref="CacheLayerOptions.OperationTimeout"/> itself).
    /// </summary>
    public TimeSpan InvalidationBudget { get; } = TimeSpan.FromSeconds(Math.Max(10, options.Value.OperationTimeout.TotalSeconds));
    private readonly SharedDeadlines _deadlines = new(options.Value.OperationTimeout, time);

    public Task<StoreCallResult<T>> RunAsync<T>(string route, string operation, Func<IResponseCacheStore, Task<T>> call, TimeSpan? timeout = null) =>
        circuit.IsOpen ? Task.FromResult(StoreCallResult<T>.Failed) : CallAsync(route, operation, call, timeout ?? _timeout);

    /// <summary>For the recovery: calls the store even while the circuit is open, with its own timeout.</summary>
    public Task<StoreCallResult<T>> ProbeAsync<T>(string operation, Func<IResponseCacheStore, Task<T>> call, TimeSpan? timeout = null) =>
        CallAsync("", operation, call, timeout ?? _timeout);

    private async Task<StoreCallResult<T>> CallAsync<T>(string route, string operation, Func<IResponseCacheStore, Task<T>> call, TimeSpan timeout)
    {
        var started = time.GetTimestamp();
        using var span = CacheTracing.StartStoreCall(route, operation);
        Task<T>? pending = null;
        try
        {
            if (!store.Connected.IsCompleted)
            {
                await store.Connected;
            }
            pending = call(store);
            var value = await (timeout == _timeout ? pending.WaitAsync(_deadlines.Next()) : pending.WaitAsync(timeout, time));
            metrics.Duration(route, operation, time.GetElapsedTime(started), succeeded: true);
            return new StoreCallResult<T>(true, value);
        }
        catch (Exception exception)
        {
            // A call abandoned on timeout may still fault later; observe it so it is not reported as unobserved.
            pending?.ContinueWith(static task => _ = task.Exception, TaskContinuationOptions.OnlyOnFaulted);
            metrics.Duration(route, operation, time.GetElapsedTime(started), succeeded: false);
            metrics.Error(route, operation);
            CacheTracing.Failed(span, exception);
            LogFailed(logger, operation, exception.Message);
            circuit.Open(operation, exception);
            return StoreCallResult<T>.Failed with { Error = exception };
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache store call {Operation} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string operation, string reason);
}
