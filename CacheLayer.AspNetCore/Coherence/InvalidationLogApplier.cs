using CacheLayer.AspNetCore.Storage;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Applies what <see cref="InvalidationLogReader"/> reads of the shared log to this process's caches, and keeps the
/// position it has applied up to. A log that no longer reaches back to that position (trimmed past it, lost, or
/// restarted) empties the memory tier and forgets the work in flight instead.
/// </summary>
internal sealed partial class InvalidationLogApplier(ProcessCaches caches, ReplicaIdentity replica, ILogger<InvalidationLogApplier> logger)
{
    /// <summary>The position before the first read.</summary>
    public const long NotRead = -1;

    private long _last = NotRead;

    /// <summary>The log's sequence number applied up to (0: there was no log; <see cref="NotRead"/>: not read yet).</summary>
    public long Last => Interlocked.Read(ref _last);

    /// <summary>Whether <paramref name="replicaId"/> is this process (its own invalidations are applied already).</summary>
    public bool IsThisReplica(string replicaId) => replicaId == replica.Id;

    /// <summary>Applies one read; true when the log holds more to read at once.</summary>
    public bool Apply(LogRead read)
    {
        var last = _last;
        if (last == NotRead)
        {
            // The first read: everything before it is already in Redis's generations, nothing here to drop.
            Interlocked.Exchange(ref _last, read.Head ?? 0);
            return false;
        }
        if (read.Head is not { } head)
        {
            if (last != 0)
            {
                StartOver(last, 0);
            }
            return false;
        }
        if (head == last)
        {
            return false;
        }

        var entries = read.Entries;
        // Last read found no log: this one began since, and is all new here if it still holds the number it began
        // at. Not knowing that number, or a log that no longer reaches back to it, is a gap.
        var expected = last == 0 ? read.First ?? NotRead : last + 1;
        if (head < last || entries.Count == 0 || entries[0].Sequence != expected)
        {
            StartOver(last, head);
            return false;
        }
        foreach (var entry in entries)
        {
            if (entry.Replica != replica.Id)
            {
                caches.Invalidate(entry.Invalidation);
            }
        }
        Interlocked.Exchange(ref _last, entries[^1].Sequence);
        return entries[^1].Sequence < head;
    }

    /// <summary>Some invalidations can no longer be read: drop everything they could have covered.</summary>
    private void StartOver(long last, long head)
    {
        caches.Invalidate(CacheInvalidation.All);
        Interlocked.Exchange(ref _last, head);
        LogStartedOver(logger, last, head);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cache invalidation log no longer reaches back to {Last} (it is at {Head}); emptied the memory tier and forgot the work in flight")]
    private static partial void LogStartedOver(ILogger logger, long last, long head);
}
