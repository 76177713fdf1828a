using CacheLayer.Api.Demo;
using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Origin;

/// <summary>
/// Plays a slow database: every call waits about <see cref="OriginOptions.LatencyMs"/> in all, part
/// before the data is read and part after (a query's way there and its answer's way back), each part
/// jittered by ±50% as real round trips are, and is counted. During a simulated
/// <see cref="OriginOutage"/> every call fails at once with <see cref="OriginOutageException"/>.
/// </summary>
public sealed class OriginLatency(IOptions<OriginOptions> options, TimeProvider time, OriginOutage outage)
{
    private readonly TimeSpan _halfLatency = TimeSpan.FromMilliseconds(options.Value.LatencyMs / 2.0);
    private long _calls;

    /// <summary>How many times the origin has been asked since start: what caching saves.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public Task<T> CallAsync<T>(Func<T> read, CancellationToken cancellationToken) =>
        CallAsync(_ => Task.FromResult(read()), cancellationToken);

    public async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await outage.ThrowIfDownAsync(cancellationToken);
        await WaitAsync(cancellationToken);
        var result = await read(cancellationToken);
        await WaitAsync(cancellationToken);
        return result;
    }

    private Task WaitAsync(CancellationToken cancellationToken) =>
        _halfLatency == TimeSpan.Zero
            ? Task.CompletedTask
            : Task.Delay(_halfLatency * (0.5 + Random.Shared.NextDouble()), time, cancellationToken);
}
