using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Demo;

/// <summary>
/// The outage flag in the SQLite origin (table <c>demo_outage</c>, one row), so an outage started through
/// any replica fails every replica's origin, as a real database outage would. Each process re-reads it at
/// most every <see cref="RefreshInterval"/> and only on an origin call (a miss or a write: hits never ask);
/// the replica that sets it sees it at once.
/// </summary>
public sealed class SqliteOriginOutage(SqliteOrigin database, TimeProvider time, ILogger<SqliteOriginOutage> logger)
    : OriginOutage(time, logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Created by <see cref="SqliteOriginInitializer"/> with the rest of the schema.</summary>
    public const string Schema = "CREATE TABLE IF NOT EXISTS demo_outage (id INTEGER PRIMARY KEY CHECK (id = 1), until_ticks INTEGER NOT NULL);";

    private sealed record Reading(DateTimeOffset? Until, long ReadAt);

    private Reading? _last;

    protected override async ValueTask<DateTimeOffset?> ReadUntilAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _last) is { } last && Time.GetElapsedTime(last.ReadAt) < RefreshInterval)
        {
            return last.Until;
        }

        var readAt = Time.GetTimestamp();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT until_ticks FROM demo_outage WHERE id = 1";
        DateTimeOffset? until = await command.ExecuteScalarAsync(cancellationToken) is long ticks and > 0
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;
        Volatile.Write(ref _last, new Reading(until, readAt));
        return until;
    }

    protected override async Task WriteUntilAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var readAt = Time.GetTimestamp();
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO demo_outage (id, until_ticks) VALUES (1, $until) ON CONFLICT (id) DO UPDATE SET until_ticks = excluded.until_ticks";
            command.Parameters.AddWithValue("$until", until?.UtcTicks ?? 0L);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        Volatile.Write(ref _last, new Reading(until, readAt));
    }
}
