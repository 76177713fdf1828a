using System.Diagnostics;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// After a write returns, no read that starts later sees an older value, however reads and writes race.
/// Run on one node (<see cref="ReadAfterWriteTests"/>) and on a cluster.
/// </summary>
public abstract class ReadAfterWriteScenario(ITestOutputHelper output)
{
    private const int Readers = 8;
    private const int Writes = 25;

    /// <summary>The API on the store under test, connected to it.</summary>
    protected abstract Task<ApiFactory> StartApiAsync(int originLatencyMs);

    [Fact]
    public async Task No_read_started_after_a_write_returned_sees_an_older_name()
    {
        await using var api = await StartApiAsync(originLatencyMs: 20);
        using var client = api.CreateClient();
        var clock = Stopwatch.StartNew();
        var writesReturned = new long[Writes + 1]; // ticks at which "v{n}" had been written; v0 is the seed
        var reads = new System.Collections.Concurrent.ConcurrentBag<(long Started, int Version)>();
        var hits = 0;
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = clock.ElapsedTicks;
                using var response = await client.GetAsync("/api/users/1");
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<UserBody>();
                reads.Add((started, VersionOf(body!.User.Name)));
                if (response.XCache() == "HIT")
                {
                    Interlocked.Increment(ref hits);
                }
            }
        })).ToArray();

        for (var version = 1; version <= Writes; version++)
        {
            using var write = await client.PutAsJsonAsync("/api/users/1", new { name = $"v{version}" });
            write.EnsureSuccessStatusCode();
            writesReturned[version] = clock.ElapsedTicks;
        }
        // Writes back to back may leave no read between them a hit, on a loaded machine: the readers go on
        // (every read still checked) until one is, or the hit assertion below fails.
        await Eventually.TrueAsync(() => Volatile.Read(ref hits) > 0).ContinueWith(static _ => { }, TaskScheduler.Default);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var stale = reads
            .Select(read => (read, Expected: Enumerable.Range(0, Writes + 1).Last(v => v == 0 || writesReturned[v] <= read.Started)))
            .Where(check => check.read.Version < check.Expected)
            .ToList();
        Assert.True(reads.Count > Writes * 4, $"Only {reads.Count} reads raced the writes.");
        // A cache that never answered could never be stale: the check below means something only with hits.
        Assert.True(hits > 0, $"None of the {reads.Count} reads was a cache hit.");
        output.WriteLine($"{hits} of {reads.Count} reads were hits.");
        Assert.True(stale.Count == 0,
            $"{stale.Count} of {reads.Count} reads were stale, e.g. v{stale.FirstOrDefault().read.Version} where v{stale.FirstOrDefault().Expected} was due.");
    }

    private static int VersionOf(string name) => name.StartsWith('v') ? int.Parse(name[1..]) : 0;

    private sealed record UserBody(UserBody.UserPart User)
    {
        public sealed record UserPart(int Id, string Name);
    }
}
