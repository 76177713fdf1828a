using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Integration;

/// <summary>The in-process tier: hits without a round trip, bounded in bytes and in age. Across replicas: <c>Replicas/</c>.</summary>
[Collection(CacheServerCollection.Name)]
public sealed class MemoryTierTests(CacheServerFixture store)
{
    [Fact]
    public async Task A_repeated_read_is_served_from_memory_and_counted_as_such()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString);
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();

        using var miss = await client.GetAsync("/api/users/1");
        using var hit = await client.GetAsync("/api/users/1");

        Assert.Equal("MISS", miss.XCache());
        Assert.Matches("^CacheLayer; hit; ttl=\\d+; detail=memory$", hit.CacheStatus());
        var metrics = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Single("cachelayer_cache_hits_total",
            PrometheusSamples.CacheScope, ("cachelayer_tier", "memory"), ("http_route", "/api/users/{id}")));
        Assert.Null(metrics.Value("cachelayer_cache_hits_total",
            PrometheusSamples.CacheScope, ("cachelayer_tier", "redis"), ("http_route", "/api/users/{id}")));
        Assert.Equal(1, metrics.Single("cachelayer_cache_misses_total", PrometheusSamples.CacheScope, ("http_route", "/api/users/{id}")));
    }

    [Fact]
    public async Task An_entry_never_outlives_its_ttl_in_memory()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock) { Settings = ApiFactory.SettingsForAJumpingClock };
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();
        using var warm = await client.GetAsync("/api/posts/");
        using var remembered = await client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.EndsWith("; detail=memory", remembered.CacheStatus());

        clock.Advance(TimeSpan.FromSeconds(89));
        using var before = await client.GetAsync("/api/posts/");
        clock.Advance(TimeSpan.FromSeconds(2));
        using var later = await client.GetAsync("/api/posts/");

        Assert.EndsWith("; detail=memory", before.CacheStatus());
        Assert.DoesNotContain("memory", later.CacheStatus());
    }

    [Fact]
    public async Task An_entry_leaves_memory_after_max_age_though_its_ttl_runs_on()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string>(ApiFactory.SettingsForAJumpingClock) { ["CacheLayer:MemoryTier:MaxAge"] = "00:00:05" };
        await using var api = new ApiFactory(store.Server.ConnectionString, time: clock) { Settings = settings };
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();
        using var warm = await client.GetAsync("/api/posts/");

        clock.Advance(TimeSpan.FromSeconds(4));
        using var before = await client.GetAsync("/api/posts/");
        clock.Advance(TimeSpan.FromSeconds(2));
        using var later = await client.GetAsync("/api/posts/");

        Assert.EndsWith("; detail=memory", before.CacheStatus());
        Assert.Equal("HIT", later.XCache());
        Assert.DoesNotContain("memory", later.CacheStatus());
    }

    [Fact]
    public async Task The_tier_holds_no_more_than_its_byte_budget()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString) { Settings = { ["CacheLayer:MemoryTier:SizeLimitBytes"] = "4096" } };
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();

        for (var page = 0; page < 200; page++)
        {
            using var response = await client.GetAsync($"/api/posts/?page={page}");
        }

        // Each entry counts its body (43 bytes), its key and over 256 bytes of overhead: at most 4096 / 300 of them.
        Assert.InRange(api.Service<MemoryTier>().Count, 1, 4096 / 300);
    }

    [Fact]
    public async Task Its_entries_and_bytes_are_gauges_in_metrics_that_drop_when_an_entry_is_invalidated()
    {
        await using var api = new ApiFactory(store.Server.ConnectionString);
        using var client = api.CreateClient();
        await api.WaitUntilMemoryTierActiveAsync();
        foreach (var path in new[] { "/api/posts/", "/api/users/1", "/api/posts/", "/api/users/1" })
        {
            using var response = await client.GetAsync(path);
        }

        var held = PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(2, held.Single("cachelayer_cache_memory_entries", PrometheusSamples.CacheScope));
        var heldBytes = held.Single("cachelayer_cache_memory_size_bytes", PrometheusSamples.CacheScope);
        Assert.InRange(heldBytes, 2 * 256 + 2, 64 * 1024); // two bodies, each with its 256-byte overhead

        using var update = await client.PutAsJsonAsync("/api/users/1", new { name = "Renamed" });
        update.EnsureSuccessStatusCode();

        // Read from this API's own meter: /metrics mixes in the gauges of every API instance the process still holds.
        var (entries, bytes) = MemoryGauges(api);
        Assert.Equal(1, entries);
        Assert.InRange(bytes, 256 + 1, heldBytes - 256 - 1);
    }

    private static (long Entries, long Bytes) MemoryGauges(ApiFactory api)
    {
        var factory = api.Service<System.Diagnostics.Metrics.IMeterFactory>();
        long entries = -1, bytes = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("cachelayer.cache.memory.", StringComparison.Ordinal))
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "cachelayer.cache.memory.entries") { entries = value; } else { bytes = value; }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return (entries, bytes);
    }
}
