using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CacheLayer.AspNetCore;
using CacheLayer.AspNetCore.Resilience;
using CacheLayer.AspNetCore.Storage;
using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace CacheLayer.Tests.Failover;

/// <summary>
/// A Redis failover to a replica that missed a write. A real redis-server master and one real replica, which
/// replicates through a proxy the test controls; the API is connected to both servers directly. The proxy stops
/// forwarding (the replica is cut off, though both ends still think the link is up), a write returns, the master
/// is killed and the replica promoted (<c>REPLICAOF NO ONE</c>): the promoted server holds the path's old
/// generation and the pre-write entry. No later read may serve that entry: not from Redis, not as a grace copy
/// while the origin fails, not from memory.
/// </summary>
[Collection(CacheServerCollection.Name)] // run alone: it kills servers and times nothing, but it is not light
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Path = "/api/users/1";
    private const string PreWriteName = "Cached User A";
    private const string PostWriteName = "Renamed before the failover";

    /// <summary>Reads each phase keeps making once what it waits for has happened.</summary>
    private const int ReadsAfterwards = 100;

    // Generous: another build may load the 2-core machine.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private RedisServerProcess _master = null!;
    private RedisServerProcess _replica = null!;
    private PausableTcpProxy _link = null!;

    public async Task InitializeAsync()
    {
        var redisServer = RedisServerProcess.RequireExecutable();
        _master = new RedisServerProcess(redisServer, FreePort.Next());
        await _master.StartAgainAsync();
        _link = new PausableTcpProxy(_master.Port);
        _replica = new RedisServerProcess(redisServer, FreePort.Next(),
            ["--replicaof", "127.0.0.1", _link.Port.ToString(CultureInfo.InvariantCulture)]);
        await _replica.StartAgainAsync();
        await using var replica = await _replica.ConnectAsync();
        await Eventually.TrueAsync(async _ => await LinkUpAsync(replica), Generous);
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _master.DisposeAsync();
        await _link.DisposeAsync();
    }

    [Fact]
    public async Task After_a_failover_to_a_replica_that_missed_a_write_no_read_serves_the_pre_write_body()
    {
        await using var api = new ApiFactory($"{_master.ConnectionString},{_replica.ConnectionString}");
        await api.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();
        using var admin = api.CreateAdminClient();
        await using var replica = await _replica.ConnectAsync();
        var replicaDatabase = replica.GetDatabase();

        // Warm: cached, and on the replica too.
        using (var hit = await Eventually.ResponseAsync(client, Path, response => response.XCache() == "HIT", Generous))
        {
            Assert.Contains(PreWriteName, await hit.Content.ReadAsStringAsync());
        }
        var entryKey = api.RedisKey("GET:" + Path);
        var generationKey = new RedisLayout(api.KeyPrefix).GenerationKeyOf("GET:" + Path);
        await Eventually.TrueAsync(async _ => await replicaDatabase.KeyExistsAsync(entryKey) && await replicaDatabase.KeyExistsAsync(generationKey), Generous);
        var replicatedGeneration = await replicaDatabase.StringGetAsync(generationKey);

        // The replica is cut off; the write still returns.
        _link.Pause();
        var writing = Stopwatch.StartNew();
        using (var write = await client.PutAsJsonAsync(Path, new { name = PostWriteName }).WaitAsync(Generous))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }
        output.WriteLine($"The write returned in {writing.ElapsedMilliseconds} ms with the replica cut off.");
        // The scenario: the replica missed the write's invalidation.
        Assert.Equal(replicatedGeneration, await replicaDatabase.StringGetAsync(generationKey));
        Assert.True(await replicaDatabase.KeyExistsAsync(entryKey));

        await _master.StopAsync();
        await replica.GetServers()[0].ExecuteAsync("REPLICAOF", "NO", "ONE");
        await Eventually.TrueAsync(async _ => (await replica.GetServers()[0].RoleAsync()) is Role.Master, Generous);
        var promoted = Stopwatch.StartNew();

        // The origin fails first, so a grace copy is what would answer; then it answers again.
        var reads = new Reads(client);
        await SetOriginOutageAsync(admin, seconds: 3600);
        var circuit = api.Service<CacheCircuit>();
        var recovered = await reads.UntilAsync("origin down", () => !circuit.IsOpen, Generous);
        await SetOriginOutageAsync(admin, seconds: 0);
        var cachedAgain = recovered && await reads.UntilAsync("origin up", () => reads.LastWasHitOf(PostWriteName), Generous);

        output.WriteLine($"{reads.Count} reads in the {promoted.Elapsed.TotalSeconds:0.0} s after promotion; {reads.PreWrite.Count} served the pre-write name.");
        foreach (var (phase, status) in reads.PreWrite.Take(5))
        {
            output.WriteLine($"pre-write body ({phase}): {status}");
        }
        Assert.Empty(reads.PreWrite);
        Assert.True(recovered, "The API never read the promoted server.");
        // Caching works again on the promoted server: the new name, as a hit.
        Assert.True(cachedAgain, "The API never cached the new name on the promoted server.");
    }

    [Fact]
    public async Task With_the_replica_in_step_every_write_waits_for_it_and_caching_goes_on()
    {
        var both = $"{_master.ConnectionString},{_replica.ConnectionString}";
        // A generous bound: on a loaded machine an acknowledgement may take longer than the default 250 ms, and
        // this test is about waiting for it, not about giving up.
        await using var api = new ApiFactory(both) { Settings = { ["CacheLayer:ReplicaAckTimeout"] = "00:00:05" } };
        await using var notWaiting = new ApiFactory(both) { Settings = { ["CacheLayer:ReplicaAckTimeout"] = "00:00:00" } };
        await api.WaitUntilStoreConnectedAsync();
        await notWaiting.WaitUntilStoreConnectedAsync();
        using var client = api.CreateClient();
        await using var master = await _master.ConnectAsync();
        await using var replica = await _replica.ConnectAsync();
        var generationKey = new RedisLayout(api.KeyPrefix).GenerationKeyOf("GET:" + Path);
        var circuit = api.Service<CacheCircuit>();

        for (var version = 1; version <= 20; version++)
        {
            using (await Eventually.ResponseAsync(client, Path, response => response.XCache() == "HIT", Generous))
            {
            }
            var name = $"Version {version}";
            using (var write = await client.PutAsJsonAsync(Path, new { name }))
            {
                Assert.Equal(HttpStatusCode.OK, write.StatusCode);
            }
            // Not deferred: the store is read on, and the replica already holds what the write's invalidation wrote.
            Assert.False(circuit.IsOpen);
            Assert.Equal(await master.GetDatabase().StringGetAsync(generationKey), await replica.GetDatabase().StringGetAsync(generationKey));
            using var read = await client.GetAsync(Path);
            Assert.Equal("MISS", read.XCache());
            Assert.Contains(name, await read.Content.ReadAsStringAsync());
        }

        // What waiting costs an invalidation (printed, not asserted: speed belongs to bench/).
        var waited = await TimeInvalidationsAsync(api.Service<ICacheInvalidator>());
        var unwaited = await TimeInvalidationsAsync(notWaiting.Service<ICacheInvalidator>());
        output.WriteLine($"Path invalidation, one replica in step, median / p90: {waited[waited.Count / 2]:0.00} / {waited[waited.Count * 9 / 10]:0.00} ms waiting for it, "
            + $"{unwaited[unwaited.Count / 2]:0.00} / {unwaited[unwaited.Count * 9 / 10]:0.00} ms without (ReplicaAckTimeout 0).");
        Assert.False(circuit.IsOpen);
    }

    private static async Task<List<double>> TimeInvalidationsAsync(ICacheInvalidator invalidator)
    {
        var times = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await invalidator.InvalidatePathAsync("GET:" + Path);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.False(result.Deferred);
        }
        times.Sort();
        return times;
    }

    private static async Task SetOriginOutageAsync(HttpClient admin, int seconds)
    {
        using var response = await admin.PostAsync($"/api/demo/origin/outage?seconds={seconds}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<bool> LinkUpAsync(ConnectionMultiplexer replica)
    {
        var info = await replica.GetServers()[0].InfoAsync("replication");
        return info.SelectMany(section => section).Any(pair => pair is { Key: "master_link_status", Value: "up" });
    }

    /// <summary>GETs of the path, one after another, remembering every answer that carried the pre-write name.</summary>
    private sealed class Reads(HttpClient client)
    {
        private (string Body, string? XCache) _last;

        public int Count { get; private set; }

        public List<(string Phase, string Status)> PreWrite { get; } = [];

        public bool LastWasHitOf(string name) => _last.XCache == "HIT" && _last.Body.Contains(name, StringComparison.Ordinal);

        /// <summary>Reads until <see cref="ReadsAfterwards"/> reads have started with <paramref name="done"/> holding; false if <paramref name="timeout"/> passes first.</summary>
        public async Task<bool> UntilAsync(string phase, Func<bool> done, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            // Counted whenever it holds, not only in a row: a circuit may close and open again while the client looks for the new master.
            var after = 0;
            while (after < ReadsAfterwards)
            {
                if (deadline.Elapsed > timeout)
                {
                    return false;
                }
                if (done())
                {
                    after++;
                }
                using var response = await client.GetAsync(Path);
                var body = await response.Content.ReadAsStringAsync();
                Count++;
                _last = (body, response.XCache());
                if (body.Contains(PreWriteName, StringComparison.Ordinal))
                {
                    PreWrite.Add((phase, $"{(int)response.StatusCode} {response.CacheStatus()}"));
                }
            }
            return true;
        }
    }
}
