using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Users;

/// <summary>The demo's users in the shared SQLite origin.</summary>
public sealed class SqliteUserStore(SqliteOrigin database, OriginLatency origin) : IUserStore
{
    public Task<User?> FindAsync(int id, CancellationToken cancellationToken) =>
        origin.CallAsync(async token =>
        {
            await using var connection = await database.OpenAsync(token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM users WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return await command.ExecuteScalarAsync(token) is string name ? new User(id, name) : null;
        }, cancellationToken);

    public Task<bool> TryRenameAsync(int id, string name, CancellationToken cancellationToken) =>
        origin.CallAsync(async token =>
        {
            await using var connection = await database.OpenAsync(token);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE users SET name = $name WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$name", name);
            return await command.ExecuteNonQueryAsync(token) == 1;
        }, cancellationToken);
}
