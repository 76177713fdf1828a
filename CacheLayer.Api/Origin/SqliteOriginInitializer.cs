using CacheLayer.Api.Demo;
using CacheLayer.Api.Users;
using Microsoft.Data.Sqlite;

namespace CacheLayer.Api.Origin;

/// <summary>
/// Creates the schema and the seed before the API serves. Replicas start together on one new file, so
/// every step may run twice at once: tables are created if missing, the seed rows have fixed ids and
/// are inserted or ignored, all in one write transaction.
/// </summary>
internal sealed class SqliteOriginInitializer(SqliteOrigin origin, ILogger<SqliteOriginInitializer> logger) : IHostedService
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL);
        """ + SqliteOriginOutage.Schema;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await origin.OpenAsync(cancellationToken);
        // Readers never wait for a writer, nor a writer for readers; it stays set in the file.
        await SqliteOrigin.ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken);

        // BEGIN IMMEDIATE: a replica starting beside another waits for its seed instead of racing it.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await SqliteOrigin.ExecuteAsync(connection, Schema, cancellationToken);
        foreach (var user in DemoSeed.Users)
        {
            await InsertOrIgnoreAsync(connection, "INSERT OR IGNORE INTO users (id, name) VALUES ($id, $value)", user.Id, user.Name, cancellationToken);
        }
        for (var i = 0; i < DemoSeed.PostTitles.Count; i++)
        {
            await InsertOrIgnoreAsync(connection, "INSERT OR IGNORE INTO posts (id, title) VALUES ($id, $value)", i + 1, DemoSeed.PostTitles[i], cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Demo origin: SQLite database {DataSource}, shared by every replica given it", origin.DataSource);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task InsertOrIgnoreAsync(SqliteConnection connection, string sql, int id, string value, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
