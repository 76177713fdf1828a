using System.Diagnostics.Metrics;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Unit;

/// <summary>
/// The memory tier finds what an invalidation covers through its index: it examines those entries only, removes exactly
/// them, and the index lets entries go as the tier does (eviction, expiry, replacement).
/// </summary>
public sealed class MemoryTierIndexTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<MemoryTier> _tiers = [];
    private InvalidationSync? _sync;

    private static readonly (CacheKey Key, string[] Tags)[] Mixed =
    [
        (new("GET:/api/users/1", ""), ["users"]),
        (new("GET:/api/users/1", "x=1"), ["users"]),
        (new("GET:/api/users/1", "", "accept-language=fr"), ["users"]),
        (new("GET:/api/users/10", ""), ["users"]),
        (new("GET:/api/users/2", ""), ["users"]),
        (new("GET:/api/posts/", ""), ["posts"]),
        (new("GET:/api/posts/", "page=2"), ["posts"]),
        (new("GET:/api/posts/", "page=20"), ["posts"]),
        (new("GET:/api/greeting", "", "accept-language=fr"), []),
    ];

    [Theory]
    [InlineData("Key", "GET:/api/users/1", "GET:/api/users/1")]
    [InlineData("Key", "GET:/api/users/1?x=1", "GET:/api/users/1?x=1")]
    [InlineData("Key", "GET:/api/users/3")]
    [InlineData("Path", "GET:/api/users/1", "GET:/api/users/1", "GET:/api/users/1?x=1", "GET:/api/users/1|accept-language=fr")]
    [InlineData("Path", "GET:/api/users")]
    [InlineData("Prefix", "GET:/api/users/1", "GET:/api/users/1", "GET:/api/users/1?x=1", "GET:/api/users/1|accept-language=fr", "GET:/api/users/10")]
    [InlineData("Prefix", "GET:/api/users/1|", "GET:/api/users/1|accept-language=fr")]
    [InlineData("Prefix", "GET:/api/users/1?", "GET:/api/users/1?x=1")]
    [InlineData("Prefix", "GET:/api/posts/?page=2", "GET:/api/posts/?page=2", "GET:/api/posts/?page=20")]
    [InlineData("Prefix", "GET:/api/g", "GET:/api/greeting|accept-language=fr")]
    [InlineData("Prefix", "POST:")]
    [InlineData("Tag", "posts", "GET:/api/posts/", "GET:/api/posts/?page=2", "GET:/api/posts/?page=20")]
    [InlineData("Tag", "users", "GET:/api/users/1", "GET:/api/users/1?x=1", "GET:/api/users/1|accept-language=fr", "GET:/api/users/10", "GET:/api/users/2")]
    [InlineData("Tag", "greeting")]
    public void An_invalidation_removes_exactly_the_entries_it_covers(string kind, string value, params string[] removed)
    {
        var tier = Tier();
        foreach (var (key, tags) in Mixed)
        {
            Set(tier, key, tags);
        }

        tier.Invalidate(new CacheInvalidation(Enum.Parse<CacheInvalidationKind>(kind), value));

        Assert.Equal(removed.Order(), Mixed.Select(held => held.Key.Value).Where(key => !tier.TryGet(new CacheKey(key, ""), out _)).Order());
    }

    [Theory]
    [InlineData("Prefix", "")]
    [InlineData("All", "")]
    public void Everything_and_the_empty_prefix_remove_every_entry(string kind, string value)
    {
        var tier = Tier();
        foreach (var (key, tags) in Mixed)
        {
            Set(tier, key, tags);
        }

        tier.Invalidate(new CacheInvalidation(Enum.Parse<CacheInvalidationKind>(kind), value));

        Assert.Equal(0, tier.Count);
        Assert.All(Mixed, held => Assert.False(tier.TryGet(held.Key, out _)));
    }

    [Theory]
    [InlineData("Path", "GET:/api/posts/", 3, 3)]
    [InlineData("Tag", "posts", 3, 3)]
    [InlineData("Key", "GET:/api/posts/?page=2", 1, 1)]
    [InlineData("Prefix", "GET:/api/posts", 3, 3)]
    // Its path's keys are examined one by one, the other paths' not at all.
    [InlineData("Prefix", "GET:/api/posts/?page=2", 1, 3)]
    [InlineData("Path", "GET:/api/users/20000", 0, 0)]
    public void An_invalidation_examines_the_entries_it_covers_not_the_10000_others(string kind, string value, int removed, int visited)
    {
        var tier = Tier();
        for (var user = 0; user < 10_000; user++)
        {
            Set(tier, new CacheKey($"GET:/api/users/{user}", ""), ["users"]);
        }
        foreach (var query in new[] { "", "page=2", "page=3" })
        {
            Set(tier, new CacheKey("GET:/api/posts/", query), ["posts"]);
        }

        tier.Invalidate(new CacheInvalidation(Enum.Parse<CacheInvalidationKind>(kind), value));

        Assert.Equal(10_003 - removed, tier.Count);
        Assert.Equal(visited, tier.InvalidationVisits);
    }

    [Fact]
    public async Task The_index_lets_go_of_what_the_tier_evicts_for_its_byte_budget()
    {
        const long Budget = 16 * 1024;
        var tier = Tier(sizeLimitBytes: Budget);
        for (var user = 0; user < 1_000; user++)
        {
            Set(tier, new CacheKey($"GET:/api/users/{user}", ""), ["users"]);
        }

        // Eviction and its callbacks run in the background: wait for them to settle.
        await Eventually.TrueAsync(() => tier.IndexedEntries == tier.Count && tier.IndexedKeys == tier.Count);

        var held = tier.IndexedKeys;
        Assert.InRange(held, 1, Budget / 400); // each entry counts over 400 bytes
        tier.Invalidate(CacheInvalidation.Tag("users"));
        Assert.Equal(held, tier.InvalidationVisits);
        Assert.Equal(0, tier.Count);
    }

    [Fact]
    public async Task The_index_lets_go_of_what_expires()
    {
        var tier = Tier(maxAge: TimeSpan.FromSeconds(5));
        for (var user = 0; user < 100; user++)
        {
            Set(tier, new CacheKey($"GET:/api/users/{user}", ""), ["users"]);
        }
        Assert.Equal(100, tier.IndexedKeys);

        _clock.Advance(TimeSpan.FromMinutes(2));
        _sync!.Applied(_sync.Now);
        tier.TryGet(new CacheKey("GET:/api/users/0", ""), out _); // the cache scans for expired entries on its next use

        await Eventually.TrueAsync(() => tier.IndexedEntries == 0);
        Assert.Equal(0, tier.Count);
    }

    [Fact]
    public async Task A_key_set_again_stays_indexed_while_the_replaced_entries_leave()
    {
        var tier = Tier();
        var key = new CacheKey("GET:/api/users/1", "");
        for (var version = 0; version < 50; version++)
        {
            Set(tier, key, ["users"]);
        }

        // The replaced entries' eviction callbacks run in the background: wait for them.
        await Eventually.TrueAsync(() => tier.IndexedEntries <= 1);
        tier.Invalidate(CacheInvalidation.Path(key.Path));

        Assert.False(tier.TryGet(key, out _));
        Assert.Equal(0, tier.Count);
    }

    [Fact]
    public async Task Concurrent_sets_and_invalidations_leave_every_held_entry_indexed()
    {
        var tier = Tier();
        var paths = Enumerable.Range(0, 10).Select(user => $"GET:/api/users/{user}").ToArray();
        // The first five paths are invalidated while they are set; the last five only set, so some entries stay.
        Parallel.For(0, 40_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, step =>
        {
            var user = step % paths.Length;
            if (step % 7 == 0 && user < 5)
            {
                tier.Invalidate(step % 3 == 0 ? CacheInvalidation.Tag("first") : CacheInvalidation.Path(paths[user]));
                return;
            }
            var epoch = tier.Epoch;
            tier.Set(new CacheKey(paths[user], $"v={step / paths.Length % 5}"), Entry(), [user < 5 ? "first" : "last"], epoch);
        });

        // Every held entry is indexed, so this is when the callbacks of those that left have run.
        await Eventually.TrueAsync(() => tier.IndexedEntries <= tier.Count);
        Assert.InRange(tier.Count, 25, 50);
        foreach (var path in paths)
        {
            tier.Invalidate(CacheInvalidation.Path(path));
        }
        Assert.Equal(0, tier.Count);
    }

    private MemoryTier Tier(long sizeLimitBytes = 64 * 1024 * 1024, TimeSpan? maxAge = null)
    {
        var options = Options.Create(new CacheLayerOptions
        {
            MemoryTier = { SizeLimitBytes = sizeLimitBytes, MaxAge = maxAge ?? TimeSpan.FromMinutes(1) },
        });
        _sync = new InvalidationSync(options, _clock);
        _sync.Applied(_sync.Now);
        var tier = new MemoryTier(options, _sync, _clock, new CacheMetrics(_services.GetRequiredService<IMeterFactory>()));
        _tiers.Add(tier);
        return tier;
    }

    private void Set(MemoryTier tier, CacheKey key, string[] tags) => tier.Set(key, Entry(), tags, tier.Epoch);

    private CacheEntry Entry() =>
        new(200, "application/json", "\"e\"", new byte[100], _clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(10));

    public void Dispose()
    {
        _tiers.ForEach(tier => tier.Dispose());
        _services.Dispose();
    }
}
