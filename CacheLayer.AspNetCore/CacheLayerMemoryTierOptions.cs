namespace CacheLayer.AspNetCore;

/// <summary>The in-process copy of hot entries, bound from <c>CacheLayer:MemoryTier</c>.</summary>
public sealed class CacheLayerMemoryTierOptions
{
    /// <summary>Keep hot entries in process memory, kept coherent across replicas by the invalidation log in Redis.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bytes of entries (bodies, keys and a fixed overhead each) the tier holds at most.</summary>
    public long SizeLimitBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Longest an entry stays in memory, however long its TTL: a bound on what a bug or a lost
    /// invalidation could ever cost, besides <see cref="MaxLag"/>.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far this replica may be behind the invalidation log and still serve from memory, or let a
    /// request join a read or miss already in flight: the bound on how long another replica's write can
    /// go unseen here. Counted from the start of the last log read this replica applied.
    /// </summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often the invalidation log is read when no notice of a new entry arrived (a notice, over Redis
    /// pub/sub, makes the read immediate). Must be well under <see cref="MaxLag"/>.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
