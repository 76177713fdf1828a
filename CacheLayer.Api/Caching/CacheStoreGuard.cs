using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Caching;

/// <summary>
/// Runs every call to the cache store within <see cref="ResponseCachingOptions.OperationTimeout"/>,
/// times it, and turns a failure into "no answer" so the request goes to the origin instead of failing.
/// Logs once when the store starts failing and once when it recovers, not once per request.
/// </summary>
public sealed partial class CacheStoreGuard(
    IResponseCacheStore store,
    CacheMetrics metrics,
    IOptions<ResponseCachingOptions> options,
    TimeProvider time,
    ILogger<CacheStoreGuard> logger)
{
    private readonly TimeSpan _timeout = options.Value.OperationTimeout;
    private int _failing;

    public async Task<StoreCallResult<T>> RunAsync<T>(string route, string operation, Func<IResponseCacheStore, Task<T>> call)
    {
        var started = time.GetTimestamp();
        Task<T>? pending = null;
        try
        {
            pending = call(store);
            var value = await pending.WaitAsync(_timeout, time);
            metrics.Duration(route, operation, time.GetElapsedTime(started), succeeded: true);
            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                LogRecovered(logger);
            }
            return new StoreCallResult<T>(true, value);
        }
        catch (Exception exception)
        {
            // A call abandoned on timeout may still fault later; observe it so it is not reported as unobserved.
            pending?.ContinueWith(static task => _ = task.Exception, TaskContinuationOptions.OnlyOnFaulted);
            metrics.Duration(route, operation, time.GetElapsedTime(started), succeeded: false);
            metrics.Error(route, operation);
            if (Interlocked.Exchange(ref _failing, 1) == 0)
            {
                LogUnavailable(logger, exception, operation);
            }
            else
            {
                LogStillUnavailable(logger, operation, exception.Message);
            }
            return StoreCallResult<T>.Failed;
        }
    }

    public Task<StoreCallResult<bool>> RunAsync(string route, string operation, Func<IResponseCacheStore, Task> call) =>
        RunAsync(route, operation, async s =>
        {
            await call(s);
            return true;
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache store unavailable ({Operation} failed); serving from the origin until it answers again")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache store still unavailable ({Operation}): {Reason}")]
    private static partial void LogStillUnavailable(ILogger logger, string operation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache store answers again; caching resumed")]
    private static partial void LogRecovered(ILogger logger);
}
