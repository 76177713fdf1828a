
namespace CacheLayer.Tests.Unit;

public class TopKeysTableTests
{
    [Fact]
    public void Counts_lookups_and_orders_most_first()
    {
        var table = new TopKeysTable(capacity: 10);
        foreach (var key in new[] { "a", "b", "a", "c", "a", "b" })
        {
            table.Record(key);
        }

        Assert.Equal([KeyValuePair.Create("a", 3L), KeyValuePair.Create("b", 2L), KeyValuePair.Create("c", 1L)], table.Top(10));
        Assert.Equal(2, table.Top(2).Count);
    }

    [Fact]
    public void Holds_at_most_its_capacity_and_keeps_the_heavy_hitter_after_a_million_distinct_keys()
    {
        const int capacity = 100;
        var table = new TopKeysTable(capacity);
        const string hot = "GET:/api/posts/";

        for (var i = 0; i < 1_000_000; i++)
        {
            table.Record($"GET:/api/posts/?page={i}");
            if (i % 50 == 0)
            {
                table.Record(hot);
            }
        }

        Assert.Equal(capacity, table.Count);
        var top = table.Top(1).Single();
        Assert.Equal(hot, top.Key);
        Assert.True(top.Value >= 20_000, $"The hot key's count {top.Value} must not be below its true count 20000.");
    }

    [Fact]
    public void A_new_key_replaces_the_least_counted_one()
    {
        var table = new TopKeysTable(capacity: 2);
        table.Record("a");
        table.Record("a");
        table.Record("b");

        table.Record("c");

        var top = table.Top(10).ToDictionary();
        Assert.Equal(["a", "c"], top.Keys.Order());
        Assert.Equal(2, top["c"]); // an upper bound: b's count plus its own lookup
    }
}
