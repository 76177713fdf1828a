namespace CacheLayer.Tests.Unit;

/// <summary>
/// Merging the replicas' Space-Saving tables: with N lookups in all and capacity k, the merged table
/// holds at most k keys, its counts are upper bounds too high by at most its bound, a key it lacks was
/// looked up at most its bound times, and its bound is at most N/k.
/// </summary>
public class TopKeysMergeTests
{
    [Fact]
    public void Tables_that_never_filled_merge_into_exact_sums()
    {
        var a = Table(10, ("GET:/a", 3), ("GET:/b", 1));
        var b = Table(10, ("GET:/b", 4), ("GET:/c", 2));

        var merged = TopKeysSummary.Merge([a.Summary(), b.Summary()], capacity: 10);

        Assert.Equal([new("GET:/b", 5), new("GET:/a", 3), new("GET:/c", 2)], merged.Keys);
        Assert.Equal(0, merged.Bound);
    }

    [Fact]
    public void A_key_hot_on_one_replica_only_is_kept_and_not_undercounted()
    {
        const int capacity = 4;
        // Replica A: one hot key among cold ones. Replica B: full of keys A never saw.
        var a = new TopKeysTable(capacity);
        var b = new TopKeysTable(capacity);
        var truth = new Dictionary<string, long>();
        for (var i = 0; i < 200; i++)
        {
            Record(a, truth, "GET:/hot");
            Record(a, truth, $"GET:/cold-a/{i}");
            Record(b, truth, $"GET:/b/{i % 9}");
        }
        Assert.DoesNotContain(b.Summary().Keys, key => key.Key == "GET:/hot");
        Assert.True(b.Summary().Bound > 0);

        var merged = TopKeysSummary.Merge([a.Summary(), b.Summary()], capacity);

        var hot = merged.Keys[0];
        Assert.Equal("GET:/hot", hot.Key);
        // Absent from B, it may have been looked up there up to B's bound times: that is added.
        Assert.Equal(a.Summary().Keys.Single(key => key.Key == "GET:/hot").Lookups + b.Summary().Bound, hot.Lookups);
        AssertGuarantees(merged, truth, capacity);
    }

    [Fact]
    public void A_key_split_across_replicas_tops_the_merge_though_it_tops_no_replica()
    {
        const int capacity = 5;
        var replicas = Enumerable.Range(0, 3).Select(_ => new TopKeysTable(capacity)).ToList();
        var truth = new Dictionary<string, long>();
        for (var round = 0; round < 100; round++)
        {
            for (var r = 0; r < replicas.Count; r++)
            {
                // Each replica's own favourite, looked up twice as often there as the shared key.
                Record(replicas[r], truth, $"GET:/local/{r}");
                Record(replicas[r], truth, $"GET:/local/{r}");
                Record(replicas[r], truth, "GET:/shared");
                Record(replicas[r], truth, $"GET:/noise/{r}/{round}");
            }
        }
        Assert.All(replicas, replica => Assert.NotEqual("GET:/shared", replica.Top(1)[0].Key));

        var merged = TopKeysSummary.Merge([.. replicas.Select(replica => replica.Summary())], capacity);

        Assert.Equal("GET:/shared", merged.Keys[0].Key);
        Assert.True(merged.Keys[0].Lookups >= truth["GET:/shared"]);
        AssertGuarantees(merged, truth, capacity);
    }

    [Fact]
    public void The_merge_keeps_at_most_the_capacity_and_raises_its_bound_to_what_it_dropped()
    {
        var a = Table(10, ("GET:/a", 9), ("GET:/b", 7), ("GET:/c", 2));
        var b = Table(10, ("GET:/d", 8), ("GET:/e", 5), ("GET:/f", 1));
        var truth = new Dictionary<string, long> { ["GET:/a"] = 9, ["GET:/b"] = 7, ["GET:/c"] = 2, ["GET:/d"] = 8, ["GET:/e"] = 5, ["GET:/f"] = 1 };

        var merged = TopKeysSummary.Merge([a.Summary(), b.Summary()], capacity: 3);

        Assert.Equal([new("GET:/a", 9), new("GET:/d", 8), new("GET:/b", 7)], merged.Keys);
        Assert.Equal(5, merged.Bound);
        AssertGuarantees(merged, truth, capacity: 3);
    }

    [Theory]
    [InlineData(1, 2, 10)]
    [InlineData(2, 3, 8)]
    [InlineData(3, 8, 20)]
    [InlineData(4, 5, 50)]
    public void Random_skewed_traffic_on_several_replicas_merges_within_the_guarantees(int seed, int replicaCount, int capacity)
    {
        var random = new Random(seed);
        var replicas = Enumerable.Range(0, replicaCount).Select(_ => new TopKeysTable(capacity)).ToList();
        var truth = new Dictionary<string, long>();
        for (var lookup = 0; lookup < 20_000; lookup++)
        {
            // Zipf-like: key i with weight about 1/i, over 500 keys; each replica skews it its own way.
            var replica = random.Next(replicaCount);
            var rank = (int)Math.Floor(Math.Pow(500, random.NextDouble()));
            Record(replicas[replica], truth, $"GET:/k/{(rank + replica * 7) % 500}");
        }

        var merged = TopKeysSummary.Merge([.. replicas.Select(table => table.Summary())], capacity);

        AssertGuarantees(merged, truth, capacity);
    }

    [Fact]
    public void A_published_table_larger_than_the_capacity_is_cut_keeping_the_guarantees()
    {
        var large = Table(10, ("GET:/a", 6), ("GET:/b", 4), ("GET:/c", 3), ("GET:/d", 1));
        var truth = new Dictionary<string, long> { ["GET:/a"] = 6, ["GET:/b"] = 4, ["GET:/c"] = 3, ["GET:/d"] = 1 };

        var cut = large.Summary().Truncate(2);

        Assert.Equal([new("GET:/a", 6), new("GET:/b", 4)], cut.Keys);
        Assert.Equal(3, cut.Bound);
        AssertGuarantees(cut, truth, capacity: 2);
    }

    [Fact]
    public void Snapshots_merge_their_counts_and_tables_and_survive_serialization()
    {
        var a = new StatisticsSnapshot(5, 2, Table(10, ("GET:/a", 7)).Summary());
        var b = new StatisticsSnapshot(1, 3, Table(10, ("GET:/a", 1), ("GET:/b", 3)).Summary());

        var read = StatisticsSnapshot.Deserialize(b.Serialize(), capacity: 10);
        var merged = StatisticsSnapshot.Merge([a, read!], capacity: 10);

        Assert.Equal((6, 5), (merged.Hits, merged.Misses));
        Assert.Equal([new("GET:/a", 8), new("GET:/b", 3)], merged.TopKeys.Keys);
        Assert.Null(StatisticsSnapshot.Deserialize("not json"u8, capacity: 10));
        Assert.Null(StatisticsSnapshot.Deserialize("""{"hits":-1,"misses":0,"topKeys":{"keys":[],"bound":0}}"""u8, capacity: 10));
    }

    private static TopKeysTable Table(int capacity, params (string Key, int Lookups)[] keys)
    {
        var table = new TopKeysTable(capacity);
        foreach (var (key, lookups) in keys)
        {
            for (var i = 0; i < lookups; i++)
            {
                table.Record(key);
            }
        }
        return table;
    }

    private static void Record(TopKeysTable table, Dictionary<string, long> truth, string key)
    {
        table.Record(key);
        truth[key] = truth.GetValueOrDefault(key) + 1;
    }

    private static void AssertGuarantees(TopKeysSummary merged, Dictionary<string, long> truth, int capacity)
    {
        var total = truth.Values.Sum();
        Assert.True(merged.Keys.Count <= capacity, $"{merged.Keys.Count} keys, capacity {capacity}.");
        Assert.True(merged.Bound * capacity <= total, $"Bound {merged.Bound} above N/k = {total}/{capacity}.");
        var listed = merged.Keys.ToDictionary(key => key.Key, key => key.Lookups);
        foreach (var (key, lookups) in truth)
        {
            if (listed.TryGetValue(key, out var counted))
            {
                Assert.True(counted >= lookups && counted - lookups <= merged.Bound,
                    $"{key}: counted {counted}, looked up {lookups}, bound {merged.Bound}.");
            }
            else
            {
                Assert.True(lookups <= merged.Bound, $"{key} looked up {lookups} times is missing; bound {merged.Bound}.");
                Assert.False(lookups * capacity > total, $"{key} looked up {lookups} > N/k = {total}/{capacity} times is missing.");
            }
        }
    }
}
