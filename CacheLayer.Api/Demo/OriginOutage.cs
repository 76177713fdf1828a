namespace CacheLayer.Api.Demo;

/// <summary>
/// A simulated outage of the demo origin (<c>POST /api/demo/origin/outage?seconds=N</c>): until it ends,
/// every origin call, read or write, throws <see cref="OriginOutageException"/>. It is a flag, not a real
/// failure, so reading it works while the origin is "down". Where the flag lives is the subclass's: this
/// process's memory, or the SQLite origin every replica shares. Says at Warning when an outage starts here
/// and at Information when this process first finds one over.
/// </summary>
public abstract class OriginOutage(TimeProvider time, ILogger logger)
{
    public const int MaxSeconds = 3600;

    // The end (UTC ticks) of the last outage this process saw under way and has not yet said is over; 0 if none.
    private long _seenUntilTicks;

    protected TimeProvider Time => time;

    /// <summary>Throws <see cref="OriginOutageException"/> while an outage is under way.</summary>
    public async ValueTask ThrowIfDownAsync(CancellationToken cancellationToken)
    {
        if (await ReadUntilAsync(cancellationToken) is { } until && until > time.GetUtcNow())
        {
            Interlocked.Exchange(ref _seenUntilTicks, until.UtcTicks);
            throw new OriginOutageException(until);
        }
        if (Interlocked.Exchange(ref _seenUntilTicks, 0) != 0)
        {
            logger.LogInformation("Demo origin: the simulated outage is over; origin calls succeed again");
        }
    }

    /// <summary>Starts an outage of <paramref name="duration"/> from now (replacing any under way), or ends it with <see cref="TimeSpan.Zero"/>.</summary>
    /// <returns>When the outage ends; null if none is under way.</returns>
    public async Task<DateTimeOffset?> SetAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        DateTimeOffset? until = duration > TimeSpan.Zero ? time.GetUtcNow() + duration : null;
        await WriteUntilAsync(until, cancellationToken);
        if (until is { } end)
        {
            Interlocked.Exchange(ref _seenUntilTicks, end.UtcTicks);
            logger.LogWarning("Demo origin: simulated outage started; every origin call fails until {Until:O}", end);
        }
        else if (Interlocked.Exchange(ref _seenUntilTicks, 0) != 0)
        {
            logger.LogInformation("Demo origin: the simulated outage was ended early; origin calls succeed again");
        }
        return until;
    }

    /// <summary>The end of the outage last set, past or future; null if none was.</summary>
    protected abstract ValueTask<DateTimeOffset?> ReadUntilAsync(CancellationToken cancellationToken);

    protected abstract Task WriteUntilAsync(DateTimeOffset? until, CancellationToken cancellationToken);
}

/// <summary>The outage flag in this process: without a shared origin there is nothing to share it with.</summary>
public sealed class InProcessOriginOutage(TimeProvider time, ILogger<InProcessOriginOutage> logger) : OriginOutage(time, logger)
{
    private long _untilTicks;

    protected override ValueTask<DateTimeOffset?> ReadUntilAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(Interlocked.Read(ref _untilTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null);

    protected override Task WriteUntilAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _untilTicks, until?.UtcTicks ?? 0);
        return Task.CompletedTask;
    }
}
