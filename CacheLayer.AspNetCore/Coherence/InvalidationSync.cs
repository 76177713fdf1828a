using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// How current this replica is with the invalidation log, measured on this process's own clock. Every
/// invalidation that returned before the start of the last log read this replica applied has been applied
/// here. The memory tier serves, and a request joins work already in flight, only while that read started
/// within <see cref="CacheLayerMemoryTierOptions.MaxLag"/>: so nothing either returns can predate an
/// invalidation by more than that.
/// </summary>
internal sealed class InvalidationSync(IOptions<CacheLayerOptions> options, TimeProvider time)
{
    private readonly TimeSpan _maxLag = options.Value.MemoryTier.MaxLag;
    private long _appliedFrom;
    private volatile bool _everApplied;

    /// <summary>A timestamp (<see cref="TimeProvider.GetTimestamp"/>) to hand to <see cref="Applied"/>.</summary>
    public long Now => time.GetTimestamp();

    /// <summary>Whether the last log read applied started within the allowed lag.</summary>
    public bool IsCurrent => _everApplied && time.GetElapsedTime(Interlocked.Read(ref _appliedFrom)) <= _maxLag;

    /// <summary>Every invalidation logged before <paramref name="readStartedAt"/> has been applied here.</summary>
    public void Applied(long readStartedAt)
    {
        Interlocked.Exchange(ref _appliedFrom, readStartedAt);
        _everApplied = true;
    }

    /// <summary>
    /// Whether a request may take the answer of work that started at <paramref name="startedAt"/>: any
    /// invalidation that work could predate is either applied here (and the work forgotten) or recent.
    /// </summary>
    public bool MayJoin(long startedAt) => IsCurrent || time.GetElapsedTime(startedAt) <= _maxLag;
}
