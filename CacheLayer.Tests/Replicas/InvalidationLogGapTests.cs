using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// A replica that cannot read back to the last invalidation it applied (the log was evicted, deleted or
/// trimmed past it) cannot know what it missed: it empties its memory tier, and goes on from the log's head.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class InvalidationLogGapTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_lost_log_empties_the_memory_of_a_replica_that_had_read_it()
    {
        await using var replicas = await WarmReplicasAsync();

        await store.Redis.KeyDeleteAsync([replicas.Layout.InvalidationLog, replicas.Layout.InvalidationSequence]);

        await Eventually.TrueAsync(() => replicas.Reader.Service<MemoryTier>().Count == 0);
        Assert.Equal(0, replicas.Reader.Service<InvalidationLogReader>().LastApplied);
    }

    [Fact]
    public async Task A_log_trimmed_past_what_a_replica_read_empties_its_memory()
    {
        await using var replicas = await WarmReplicasAsync();
        var applied = replicas.Reader.Service<InvalidationLogReader>().LastApplied;

        // As if more invalidations than the log keeps had been written and trimmed away unread.
        await store.Redis.SortedSetRemoveRangeByRankAsync(replicas.Layout.InvalidationLog, 0, -1);
        await store.Redis.StringIncrementAsync(replicas.Layout.InvalidationSequence, 3);

        await Eventually.TrueAsync(() => replicas.Reader.Service<MemoryTier>().Count == 0);
        Assert.Equal(applied + 3, replicas.Reader.Service<InvalidationLogReader>().LastApplied);
    }

    [Fact]
    public async Task A_replica_that_has_read_every_entry_keeps_its_memory()
    {
        await using var replicas = await WarmReplicasAsync();
        using var writer = replicas.Writer.CreateAdminClient();

        using var other = await writer.DeleteAsync("/api/cache?key=GET:/api/users/2");
        await replicas.Group.WaitUntilCaughtUpAsync(replicas.Reader, store.Redis);

        using var reader = replicas.Reader.CreateClient();
        using var remembered = await reader.GetAsync("/api/posts/");
        Assert.EndsWith("detail=memory", remembered.CacheStatus());
    }

    /// <summary>Two replicas; the writer has logged an invalidation, and the reader has read it and holds <c>/api/posts/</c> in memory.</summary>
    private async Task<Warmed> WarmReplicasAsync()
    {
        var group = new ReplicaGroup(store.Server.ConnectionString);
        var warmed = new Warmed(group, await group.StartAsync(), await group.StartAsync());
        using var admin = warmed.Writer.CreateAdminClient();
        using var logged = await admin.DeleteAsync("/api/cache?key=GET:/api/users/1");
        await group.WaitUntilCaughtUpAsync(warmed.Reader, store.Redis);

        using var reader = warmed.Reader.CreateClient();
        await ReplicaGroup.WarmIntoMemoryAsync(reader, "/api/posts/");
        return warmed;
    }

    private sealed record Warmed(ReplicaGroup Group, ApiFactory Writer, ApiFactory Reader) : IAsyncDisposable
    {
        public RedisLayout Layout => Group.Layout;

        public ValueTask DisposeAsync() => Group.DisposeAsync();
    }
}
