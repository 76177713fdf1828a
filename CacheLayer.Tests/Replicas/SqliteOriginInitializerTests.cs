using CacheLayer.Api.Origin;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CacheLayer.Tests.Replicas;

/// <summary>The origin's start-up step (schema and seed) run by many replicas at the same moment on one new file.</summary>
public sealed class SqliteOriginInitializerTests : IDisposable
{
    private readonly SqliteOriginFile _file = new();

    [Fact]
    public async Task Many_replicas_initializing_one_new_file_at_once_all_succeed_and_seed_it_once()
    {
        // Each on its own connection, as separate processes are; released together.
        var replicas = Enumerable.Range(0, 16)
            .Select(_ => new SqliteOriginInitializer(new SqliteOrigin(_file.ConnectionString), NullLogger<SqliteOriginInitializer>.Instance))
            .ToList();
        using var start = new Barrier(replicas.Count);

        await Task.WhenAll(replicas.Select(replica => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            replica.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }, TaskCreationOptions.LongRunning)));

        var origin = new SqliteOrigin(_file.ConnectionString);
        await using var connection = await origin.OpenAsync(CancellationToken.None);
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal("Cached post A|Cached post B", await ScalarAsync(connection, "SELECT group_concat(title, '|') FROM (SELECT title FROM posts ORDER BY id)"));
        Assert.Equal("Cached User A|Cached User B", await ScalarAsync(connection, "SELECT group_concat(name, '|') FROM (SELECT name FROM users ORDER BY id)"));
    }

    private static async Task<object?> ScalarAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose() => _file.Dispose();
}
