using Microsoft.Extensions.Options;

namespace CacheLayer.Api.Origin;

/// <summary>Waits the configured <see cref="OriginOptions.LatencyMs"/>, as a slow database would.</summary>
public sealed class OriginLatency(IOptions<OriginOptions> options, TimeProvider time)
{
    private readonly TimeSpan _latency = TimeSpan.FromMilliseconds(options.Value.LatencyMs);

    public Task WaitAsync(CancellationToken cancellationToken) =>
        _latency == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(_latency, time, cancellationToken);
}
