using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>
/// Keeps the <see cref="MemoryTier"/> coherent across API processes: applies the invalidations every
/// process publishes on the <see cref="InvalidationFeed"/>, and switches the tier off (emptying it) whenever the subscription connection is
/// down, since messages could be missed then; it comes back empty when the subscription does.
/// </summary>
internal sealed partial class CacheInvalidationSubscriber(
    RedisConnection connection,
    InvalidationFeed feed,
    MemoryTier tier,
    IOptions<CacheLayerOptions> options,
    TimeProvider time,
    ILogger<CacheInvalidationSubscriber> logger) : BackgroundService
{
    private IConnectionMultiplexer? _redis;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connecting here, in the background, also warms the client up for the first requests.
        var redis = _redis = await connection.GetAsync().WaitAsync(stoppingToken);
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        var channel = feed.Channel;

        // Until the first subscription succeeds (the store may be down at start-up), keep trying.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(channel, OnMessage);
                tier.SetConnected(true);
                break;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                LogNotSubscribed(logger, exception.Message);
                await Task.Delay(options.Value.ProbeInterval, time, stoppingToken);
            }
        }

        // Connection events arrive on the thread pool, in no guaranteed order: a "restored" handled
        // before its "failed" would leave the tier off. Recheck the real state now and then.
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (tier.IsConnected != SubscriptionIsUp())
            {
                tier.SetConnected(SubscriptionIsUp());
            }
        }
    }

    private bool SubscriptionIsUp() =>
        _redis?.GetSubscriber().IsConnected(feed.Channel) == true;

    public override void Dispose()
    {
        if (_redis is { } redis)
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }
        base.Dispose();
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        if (CacheInvalidation.Deserialize(message) is { } invalidation)
        {
            tier.Invalidate(invalidation);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            tier.SetConnected(SubscriptionIsUp());
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            tier.SetConnected(SubscriptionIsUp());
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Not yet subscribed to cache invalidations: {Reason}")]
    private static partial void LogNotSubscribed(ILogger logger, string reason);
}
