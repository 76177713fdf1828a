namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The invalidation log every replica shares, and its doorbell: what the coherence code needs of the store,
/// without a Redis type (see <see cref="RedisInvalidationLog"/>).
/// </summary>
internal interface IInvalidationLogStore
{
    /// <summary>Completes once the first attempt to connect has ended, whether or not it succeeded.</summary>
    Task Connected { get; }

    /// <summary>Appends what <paramref name="replica"/> invalidated; returns its sequence number.</summary>
    Task<long> AppendAsync(CacheInvalidation invalidation, string replica);

    /// <summary>The log's last sequence number and the one it began at (null: unknown), and at most <paramref name="count"/> entries after <paramref name="after"/>.</summary>
    Task<LogRead> ReadAsync(long after, int count);

    /// <summary>Rings the other replicas' doorbell: a hint to read the log at once, never needed for correctness.</summary>
    void Ring(string replica);

    /// <summary>Calls <paramref name="onRing"/> with the ringer's id whenever a replica rings; throws when the store cannot be reached.</summary>
    Task SubscribeAsync(Action<string> onRing);
}
