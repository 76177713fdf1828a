using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// A replica that has seen no log yet (it found none) and then finds one cannot know what it missed unless the log
/// still holds the entry it began with (<c>{P__cachelayer:log}first</c>): a log trimmed past its start is a gap, and
/// the replica empties its memory tier.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class LogWithoutHistoryTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_log_that_no_longer_reaches_back_to_its_first_entry_empties_the_memory_of_a_replica_that_saw_none()
    {
        await using var group = new ReplicaGroup(store.Server.ConnectionString);
        var reader = await group.StartAsync();
        await Eventually.TrueAsync(() => reader.Service<InvalidationLogReader>().LastApplied == 0);
        using var client = reader.CreateClient();
        await ReplicaGroup.WarmIntoMemoryAsync(client, "/api/posts/");

        // A log begun at 1000 whose first three entries were trimmed away unread: only 1003..1005 are left.
        var layout = group.Layout;
        await WriteLogAsync(layout, first: 1000, entries: Enumerable.Range(1003, 3), last: 1005);

        await Eventually.TrueAsync(() => reader.Service<InvalidationLogReader>().LastApplied == 1005);
        Assert.Equal(0, reader.Service<MemoryTier>().Count);
        // The reader moves its position on, then logs the gap: wait for the line rather than race it.
        await Eventually.TrueAsync(() => reader.Logs.Lines.Any(line => line.Contains("no longer reaches back", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_whole_log_is_applied_by_a_replica_that_saw_none_and_its_memory_stays()
    {
        await using var group = new ReplicaGroup(store.Server.ConnectionString);
        var reader = await group.StartAsync();
        await Eventually.TrueAsync(() => reader.Service<InvalidationLogReader>().LastApplied == 0);
        using var client = reader.CreateClient();
        await ReplicaGroup.WarmIntoMemoryAsync(client, "/api/posts/");

        var layout = group.Layout;
        await WriteLogAsync(layout, first: 1000, entries: Enumerable.Range(1000, 3), last: 1002);

        await Eventually.TrueAsync(() => reader.Service<InvalidationLogReader>().LastApplied == 1002);
        Assert.DoesNotContain(reader.Logs.Lines, line => line.Contains("no longer reaches back", StringComparison.Ordinal));
    }

    /// <summary>
    /// Writes the log's first number, its entries and its last number in one transaction (one slot), as an append
    /// would leave them: a reader polling between separate writes would see a log no replica ever wrote.
    /// </summary>
    private async Task WriteLogAsync(RedisLayout layout, long first, IEnumerable<int> entries, long last)
    {
        var write = store.Redis.CreateTransaction();
        _ = write.StringSetAsync(layout.InvalidationFirst, first);
        _ = write.SortedSetAddAsync(layout.InvalidationLog,
            [.. entries.Select(seq => new SortedSetEntry($"{seq}:elsewhere\nPath\nGET:/api/users/9", seq))]);
        _ = write.StringSetAsync(layout.InvalidationSequence, last);
        Assert.True(await write.ExecuteAsync());
    }
}
