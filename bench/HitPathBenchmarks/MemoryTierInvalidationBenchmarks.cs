using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using CacheLayer.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CacheLayer.Bench.HitPath;

/// <summary>
/// What one invalidation costs the memory tier as the tier grows: each operation stores one entry of
/// <c>GET:/api/posts/</c> (tag <c>posts</c>) and invalidates it by path, tag or prefix, in a tier that also holds
/// <see cref="TierSize"/> entries of other paths (tag <c>users</c>). Flat across sizes when an invalidation costs
/// the entries it covers; growing with the size when it walks the tier.
/// <c>dotnet run -c Release --project bench/HitPathBenchmarks -- --filter '*MemoryTierInvalidation*'</c>
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class MemoryTierInvalidationBenchmarks
{
    private static readonly CacheKey Target = new("GET:/api/posts/", "");
    private static readonly string[] PostsTags = ["posts"];

    private ServiceProvider _services = null!;
    private MemoryTier _tier = null!;
    private CacheEntry _entry = null!;

    [Params(1_000, 10_000, 100_000)]
    public int TierSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new CacheLayerOptions
        {
            // Nothing leaves the tier during a run: not for age, lag or bytes.
            MemoryTier = { SizeLimitBytes = 1L << 30, MaxAge = TimeSpan.FromHours(1), MaxLag = TimeSpan.FromDays(1) },
        });
        var sync = new InvalidationSync(options, TimeProvider.System);
        sync.Applied(sync.Now);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _tier = new MemoryTier(options, sync, TimeProvider.System, new CacheMetrics(_services.GetRequiredService<IMeterFactory>()));
        var now = DateTimeOffset.UtcNow;
        _entry = new CacheEntry(200, HitPathFixture.ContentType, "\"bench\"", HitPathFixture.Body, now, now.AddHours(1));
        string[] users = ["users"];
        for (var user = 0; user < TierSize; user++)
        {
            _tier.Set(new CacheKey($"GET:/api/users/{user}", ""), _entry, users, _tier.Epoch);
        }
        if (_tier.Count != TierSize)
        {
            throw new InvalidOperationException($"The tier holds {_tier.Count} entries, not {TierSize}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tier.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void SetAndInvalidatePath() => SetAndInvalidate(CacheInvalidation.Path(Target.Path));

    [Benchmark]
    public void SetAndInvalidateTag() => SetAndInvalidate(CacheInvalidation.Tag("posts"));

    [Benchmark]
    public void SetAndInvalidatePrefix() => SetAndInvalidate(CacheInvalidation.Prefix("GET:/api/posts"));

    private void SetAndInvalidate(CacheInvalidation invalidation)
    {
        _tier.Set(Target, _entry, PostsTags, _tier.Epoch);
        _tier.Invalidate(invalidation);
    }
}
