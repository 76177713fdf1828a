using Microsoft.Data.Sqlite;

namespace CacheLayer.Api.Origin;

/// <summary>
/// The demo's database: one SQLite file that every API replica opens (<c>ConnectionStrings:origin</c>),
/// so each reads what any of them wrote, as replicas of a real API share their database.
/// </summary>
public sealed class SqliteOrigin(string connectionString)
{
    /// <summary>A statement waits up to 10 s for another replica's write lock instead of failing at once.</summary>
    private const string BusyTimeout = "PRAGMA busy_timeout = 10000";

    public string DataSource { get; } = new SqliteConnectionStringBuilder(connectionString).DataSource;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, BusyTimeout, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
