using System.Collections.Concurrent;
using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Users;

/// <summary>The demo's users, in memory, seeded with users 1 and 2.</summary>
public sealed class UserStore(OriginLatency origin)
{
    private readonly ConcurrentDictionary<int, User> _users = new()
    {
        [1] = new User(1, "Cached User A"),
        [2] = new User(2, "Cached User B"),
    };

    public Task<User?> FindAsync(int id, CancellationToken cancellationToken) =>
        origin.CallAsync(() => _users.GetValueOrDefault(id), cancellationToken);

    /// <summary>Renames an existing user; false when there is no such user.</summary>
    public Task<bool> TryRenameAsync(int id, string name, CancellationToken cancellationToken) =>
        origin.CallAsync(() =>
        {
            while (_users.TryGetValue(id, out var current))
            {
                if (_users.TryUpdate(id, current with { Name = name }, current))
                {
                    return true;
                }
            }
            return false;
        }, cancellationToken);
}
