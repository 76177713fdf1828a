namespace CacheLayer.AspNetCore.Storage;

/// <summary>The replicas' published statistics snapshots, without a Redis type (see <see cref="RedisStatistics"/>).</summary>
internal interface IStatisticsStore
{
    /// <summary>Completes once the first attempt to connect has ended, whether or not it succeeded.</summary>
    Task Connected { get; }

    /// <summary>Publishes this replica's snapshot until it expires.</summary>
    Task PublishAsync(byte[] snapshot);

    /// <summary>The other replicas' live snapshots, the most recently published first.</summary>
    Task<IReadOnlyList<byte[]>> ReadOthersAsync();
}
