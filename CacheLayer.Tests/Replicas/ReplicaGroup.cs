using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// API hosts that run as replicas do: one key prefix on one store, one SQLite origin file. Disposing the
/// group disposes every replica it made, then deletes the file.
/// </summary>
internal sealed class ReplicaGroup(string store) : IAsyncDisposable
{
    private readonly SqliteOriginFile _origin = new();
    private readonly List<ApiFactory> _replicas = [];

    public string KeyPrefix { get; } = $"r{Guid.NewGuid():N}"[..9] + ":";

    public RedisLayout Layout => new(KeyPrefix);

    /// <summary>A replica on the group's store (or on <paramref name="storeConnectionString"/>, e.g. through a proxy), started, its memory tier active.</summary>
    public async Task<ApiFactory> StartAsync(
        Dictionary<string, string>? settings = null, Action<IServiceCollection>? services = null, string? storeConnectionString = null)
    {
        var all = _origin.Settings();
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        var replica = new ApiFactory(storeConnectionString ?? store) { KeyPrefix = KeyPrefix, Settings = all, TestServices = services };
        _replicas.Add(replica);
        await replica.WaitUntilMemoryTierActiveAsync();
        return replica;
    }

    /// <summary>Waits until <paramref name="replica"/> has applied everything the invalidation log holds now.</summary>
    public async Task WaitUntilCaughtUpAsync(ApiFactory replica, StackExchange.Redis.IDatabase redis)
    {
        var head = (long)await redis.StringGetAsync(Layout.InvalidationSequence);
        await Eventually.TrueAsync(() => replica.Service<InvalidationLogReader>().LastApplied >= head);
    }

    public static async Task<string> NameAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<UserBody>())!.User.Name;

    /// <summary>
    /// Reads <paramref name="path"/> until this replica serves it from memory: within seconds, as its tier is
    /// unused while its last log read is older than MaxLag (a poll late on a loaded machine).
    /// </summary>
    public static async Task WarmIntoMemoryAsync(HttpClient replica, string path)
    {
        using var fromMemory = await Eventually.ResponseAsync(replica, path,
            response => response.CacheStatus()?.EndsWith("detail=memory", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
        _origin.Dispose();
    }

    private sealed record UserBody(UserBody.UserPart User)
    {
        public sealed record UserPart(int Id, string Name);
    }
}
