using System.Collections.Concurrent;
using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Users;

/// <summary>The demo's users in this process's memory, seeded with users 1 and 2.</summary>
public sealed class InMemoryUserStore(OriginLatency origin) : IUserStore
{
    private readonly ConcurrentDictionary<int, User> _users = new(DemoSeed.Users.Select(user => KeyValuePair.Create(user.Id, user)));

    public Task<User?> FindAsync(int id, CancellationToken cancellationToken) =>
        origin.CallAsync(() => _users.GetValueOrDefault(id), cancellationToken);

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
