namespace CacheLayer.Api.Users;

/// <summary>The demo's users, as the handlers see them: in memory or in the shared SQLite origin.</summary>
public interface IUserStore
{
    Task<User?> FindAsync(int id, CancellationToken cancellationToken);

    /// <summary>Renames an existing user; false when there is no such user.</summary>
    Task<bool> TryRenameAsync(int id, string name, CancellationToken cancellationToken);
}
