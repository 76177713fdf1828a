using System.Text;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>The store's own guarantee, against Redis: no entry read before an invalidation is stored after it.</summary>
[Collection(CacheServerCollection.Name)]
public sealed class StoreGenerationTests(CacheServerFixture store) : IAsyncLifetime
{
    private readonly ApiFactory _api = new(store.Server.ConnectionString);
    private static readonly CacheKey Key = new("GET:/api/users/1", "");

    private IResponseCacheStore Store => _api.Service<IResponseCacheStore>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static CacheEntry Entry(string body) =>
        new(200, "application/json", "\"e\"", Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(60));

    [Fact]
    public async Task A_miss_that_read_before_an_invalidation_cannot_store_after_it()
    {
        var before = await Store.GetGenerationsAsync(Key.Path, []);

        await Store.InvalidateAsync(CacheInvalidation.Path(Key.Path));
        var stored = await Store.SetAsync(Key, Entry("old"), before, []);

        Assert.Equal(StoreOutcome.Invalidated, stored);
        Assert.False(await store.Redis.KeyExistsAsync(_api.RedisKey(Key.Value)));
        Assert.Equal(0, await store.CountEntriesAsync(_api.KeyPrefix));
        // The same entry with the generations read after the invalidation is stored: the count sees it.
        Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(Key, Entry("new"), await Store.GetGenerationsAsync(Key.Path, []), []));
        Assert.Equal(1, await store.CountEntriesAsync(_api.KeyPrefix));
    }

    [Fact]
    public async Task A_miss_that_read_after_the_invalidation_stores()
    {
        await Store.InvalidateAsync(CacheInvalidation.Path(Key.Path));
        var after = await Store.GetGenerationsAsync(Key.Path, []);

        Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(Key, Entry("new"), after, []));
        Assert.Equal("new", Encoding.UTF8.GetString((await Store.GetAsync(Key, [])).Entry!.Body.Span));
    }

    [Fact]
    public async Task Invalidating_a_path_blocks_stale_stores_of_its_query_variants_too()
    {
        var variant = new CacheKey(Key.Path, "page=2");
        var before = await Store.GetGenerationsAsync(variant.Path, []);

        await Store.InvalidateAsync(CacheInvalidation.Path(Key.Path));

        Assert.Equal(StoreOutcome.Invalidated, await Store.SetAsync(variant, Entry("old"), before, []));
    }

    [Fact]
    public async Task Deleting_a_key_blocks_a_miss_that_read_before_the_delete()
    {
        Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(Key, Entry("old"), await Store.GetGenerationsAsync(Key.Path, []), []));
        var before = await Store.GetGenerationsAsync(Key.Path, []);

        Assert.Equal(1, await Store.InvalidateAsync(CacheInvalidation.Key(Key.Value)));

        Assert.Equal(StoreOutcome.Invalidated, await Store.SetAsync(Key, Entry("old"), before, []));
        Assert.False(await store.Redis.KeyExistsAsync(_api.RedisKey(Key.Value)));
    }

    [Fact]
    public async Task Invalidating_a_tag_blocks_stale_stores_of_entries_with_that_tag()
    {
        string[] tags = ["users"];
        var before = await Store.GetGenerationsAsync(Key.Path, tags);

        await Store.InvalidateAsync(CacheInvalidation.Tag("users"));

        // Layout v3 does not read the tags again as it stores: the entry stored under the old tag token is never served.
        await Store.SetAsync(Key, Entry("old"), before, tags);
        Assert.Null((await Store.GetAsync(Key, tags)).Entry);
        Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(Key, Entry("new"), (await Store.GetGenerationsAsync(Key.Path, tags)), tags));
    }

    [Fact]
    public async Task Invalidate_all_removes_every_entry_but_no_foreign_key()
    {
        await store.Redis.StringSetAsync(_api.KeyPrefix + "not-ours", "x");
        foreach (var key in new[] { Key, new CacheKey(Key.Path, "a=1"), new CacheKey("GET:/api/posts/", "") })
        {
            Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(key, Entry("x"), (await Store.GetGenerationsAsync(key.Path, [])), []));
        }

        Assert.Equal(3, await Store.InvalidateAsync(CacheInvalidation.All));
        Assert.Equal(0, await Store.CountAsync());
        Assert.True(await store.Redis.KeyExistsAsync(_api.KeyPrefix + "not-ours"));
    }

    [Fact]
    public async Task An_entry_whose_generation_was_evicted_is_not_served_until_stored_again()
    {
        await StoreAsync(Key, "old");
        Assert.NotNull((await Store.GetAsync(Key, [])).Entry);

        await store.Redis.KeyDeleteAsync(Layout.GenerationKeyOf(Key.Path));

        Assert.Null((await Store.GetAsync(Key, [])).Entry);
        await StoreAsync(Key, "new");
        Assert.Equal("new", await BodyAsync(Key, []));
    }

    [Fact]
    public async Task Invalidating_a_path_retires_variants_whose_index_was_evicted()
    {
        var variant = new CacheKey(Key.Path, "page=2");
        await StoreAsync(variant, "old");
        await _api.Service<RedisIndexBatch>().FlushAsync();
        await store.Redis.KeyDeleteAsync(Layout.VariantsKeyOf(Key.Path));

        await Store.InvalidateAsync(CacheInvalidation.Path(Key.Path));

        Assert.True(await store.Redis.KeyExistsAsync(Layout.EntryKeyOf(variant)));
        Assert.Null((await Store.GetAsync(variant, [])).Entry);
    }

    [Fact]
    public async Task Invalidating_a_tag_retires_entries_whose_tag_index_was_evicted()
    {
        string[] tags = ["users"];
        await StoreAsync(Key, "old", tags);
        await _api.Service<RedisIndexBatch>().FlushAsync();
        for (var shard = 0; shard < RedisLayout.KeyShards; shard++)
        {
            await store.Redis.KeyDeleteAsync(Layout.TagShard("users", shard));
        }

        await Store.InvalidateAsync(CacheInvalidation.Tag("users"));

        Assert.True(await store.Redis.KeyExistsAsync(Layout.EntryKeyOf(Key)));
        Assert.Null((await Store.GetAsync(Key, tags)).Entry);
    }

    [Fact]
    public async Task Deleting_one_key_leaves_the_other_variants_of_its_path_served()
    {
        var variant = new CacheKey(Key.Path, "page=2");
        await StoreAsync(Key, "plain");
        await StoreAsync(variant, "page 2");

        Assert.Equal(1, await Store.InvalidateAsync(CacheInvalidation.Key(variant.Value)));

        Assert.Null((await Store.GetAsync(variant, [])).Entry);
        Assert.Equal("plain", await BodyAsync(Key, []));
    }

    private RedisLayout Layout => new(_api.KeyPrefix);

    private async Task StoreAsync(CacheKey key, string body, string[]? tags = null)
    {
        tags ??= [];
        Assert.Equal(StoreOutcome.Stored, await Store.SetAsync(key, Entry(body), await Store.GetGenerationsAsync(key.Path, tags), tags));
    }

    private async Task<string?> BodyAsync(CacheKey key, string[] tags) =>
        (await Store.GetAsync(key, tags)).Entry is { } entry ? Encoding.UTF8.GetString(entry.Body.Span) : null;
}
