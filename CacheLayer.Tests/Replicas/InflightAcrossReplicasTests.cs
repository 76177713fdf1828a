using System.Net.Http.Json;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// On a replica that did not make the write, a miss that read the origin before the write is still in
/// flight when the write's invalidation arrives: a request that starts after that must not take its answer.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class InflightAcrossReplicasTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_request_after_another_replicas_write_does_not_join_a_miss_that_read_before_it()
    {
        await using var group = new ReplicaGroup(store.Server.ConnectionString);
        using var writer = (await group.StartAsync()).CreateClient();
        var origin = new HeldUserStore();
        var readerApi = await group.StartAsync(
            // Long enough that a request joining the held miss could not give up on it and ask the origin itself.
            settings: new() { ["CacheLayer:CollapseTimeout"] = "00:00:30" },
            services: services =>
            {
                services.AddSingleton<SqliteUserStore>();
                services.AddSingleton<IUserStore>(provider => origin.Wrapping(provider.GetRequiredService<SqliteUserStore>()));
            });
        using var reader = readerApi.CreateClient();
        using (var warm = await reader.GetAsync("/api/users/2"))
        {
            Assert.Equal("Cached User B", await ReplicaGroup.NameAsync(warm));
        }

        origin.HoldNextRead();
        var before = reader.GetAsync("/api/users/1");
        await origin.Read.WaitAsync(TimeSpan.FromSeconds(10));
        using (var write = await writer.PutAsJsonAsync("/api/users/1", new { name = "Renamed through the writer" }))
        {
            write.EnsureSuccessStatusCode();
        }
        await group.WaitUntilCaughtUpAsync(readerApi, store.Redis);

        var after = reader.GetAsync("/api/users/1");
        // Its own origin call shows it did not join; if it joined, it waits for the held miss, released below.
        await Task.WhenAny(origin.AnotherRead, after, Task.Delay(TimeSpan.FromSeconds(5)));
        origin.Release();
        using var afterResponse = await after;
        using var beforeResponse = await before;
        using var next = await reader.GetAsync("/api/users/1");

        Assert.Equal("Renamed through the writer", await ReplicaGroup.NameAsync(afterResponse));
        Assert.Equal("Cached User A", await ReplicaGroup.NameAsync(beforeResponse)); // it started before the write
        Assert.Equal("Renamed through the writer", await ReplicaGroup.NameAsync(next));
    }


    /// <summary>The origin, with one read that can be held after it has read the data, until released.</summary>
    private sealed class HeldUserStore
    {
        private readonly TaskCompletionSource _read = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _anotherRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held = -1; // -1: not holding; 0: the next read is held; 1: one is held

        public Task Read => _read.Task;

        public Task AnotherRead => _anotherRead.Task;

        public void HoldNextRead() => Interlocked.Exchange(ref _held, 0);

        public void Release() => _released.TrySetResult();

        public IUserStore Wrapping(IUserStore inner) => new Store(this, inner);

        private sealed class Store(HeldUserStore holder, IUserStore inner) : IUserStore
        {
            public async Task<User?> FindAsync(int id, CancellationToken cancellationToken)
            {
                var user = await inner.FindAsync(id, cancellationToken);
                if (Interlocked.CompareExchange(ref holder._held, 1, 0) == 0)
                {
                    holder._read.TrySetResult();
                    await holder._released.Task;
                }
                else if (Volatile.Read(ref holder._held) == 1)
                {
                    holder._anotherRead.TrySetResult();
                }
                return user;
            }

            public Task<bool> TryRenameAsync(int id, string name, CancellationToken cancellationToken) =>
                inner.TryRenameAsync(id, name, cancellationToken);
        }
    }
}
