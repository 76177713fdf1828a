using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Posts;

/// <summary>The demo's post titles in the shared SQLite origin, in insertion order.</summary>
public sealed class SqlitePostStore(SqliteOrigin database, OriginLatency origin) : IPostStore
{
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        origin.CallAsync<IReadOnlyList<string>>(async token =>
        {
            await using var connection = await database.OpenAsync(token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT title FROM posts ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(token);
            var titles = new List<string>();
            while (await reader.ReadAsync(token))
            {
                titles.Add(reader.GetString(0));
            }
            return titles;
        }, cancellationToken);

    public Task AddAsync(string title, CancellationToken cancellationToken) =>
        origin.CallAsync(async token =>
        {
            await using var connection = await database.OpenAsync(token);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO posts (title) VALUES ($title)";
            command.Parameters.AddWithValue("$title", title);
            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);
}
