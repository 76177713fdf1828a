using System.Diagnostics;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// Redis's clock, read in this process without a round trip: Redis's <c>TIME</c>, taken now and then, plus the time
/// this process's monotonic clock (<see cref="Stopwatch"/>) says has passed since. Every time the layer writes for
/// other processes to compare (an entry's freshness, index scores) is on this clock, so replicas' wall clocks need not
/// agree, and a wall clock that jumps (NTP, a VM resumed, <c>faketime</c>) moves nothing. The error is half a round
/// trip at the last reading plus the drift since (recalibrated every <see cref="Recalibrate"/>).
/// </summary>
internal sealed class RedisClock(RedisConnection redis)
{
    public static readonly TimeSpan Recalibrate = TimeSpan.FromSeconds(30);

    private Reading? _reading;
    private int _calibrating;

    private sealed record Reading(long RedisMs, long Ticks);

    /// <summary>Redis's time now, in unix milliseconds; reads <c>TIME</c> first if it never did.</summary>
    public ValueTask<long> NowAsync()
    {
        if (Volatile.Read(ref _reading) is { } reading)
        {
            var elapsed = Stopwatch.GetElapsedTime(reading.Ticks);
            if (elapsed > Recalibrate && Interlocked.Exchange(ref _calibrating, 1) == 0)
            {
                _ = CalibrateInBackgroundAsync();
            }
            return ValueTask.FromResult(reading.RedisMs + (long)elapsed.TotalMilliseconds);
        }
        return new ValueTask<long>(CalibrateAsync());
    }

    private async Task CalibrateInBackgroundAsync()
    {
        try
        {
            await CalibrateAsync();
        }
        catch (Exception)
        {
            // The last reading stands until the store answers.
        }
        finally
        {
            Volatile.Write(ref _calibrating, 0);
        }
    }

    /// <summary>Reads <c>TIME</c>; the reading is taken as of the middle of the round trip.</summary>
    public async Task<long> CalibrateAsync()
    {
        var database = await redis.DatabaseAsync();
        var sent = Stopwatch.GetTimestamp();
        var time = await database.ExecuteAsync("TIME");
        var received = Stopwatch.GetTimestamp();
        var parts = (StackExchange.Redis.RedisResult[])time!;
        var redisMs = (long)parts[0] * 1000 + (long)parts[1] / 1000;
        var middle = sent + (received - sent) / 2;
        Volatile.Write(ref _reading, new Reading(redisMs, middle));
        return redisMs + (long)Stopwatch.GetElapsedTime(middle).TotalMilliseconds;
    }
}
