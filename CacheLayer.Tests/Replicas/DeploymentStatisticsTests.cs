using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// Several API hosts sharing one store under one key prefix, as replicas behind a load balancer:
/// <c>/metrics/cache</c> on any of them reports the whole deployment.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class DeploymentStatisticsTests(CacheServerFixture store) : IAsyncLifetime
{
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(20);

    private readonly string _keyPrefix = $"r{Guid.NewGuid():N}"[..9] + ":";
    private readonly List<ApiFactory> _replicas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_replica_reports_the_sum_of_the_replicas_own_statistics()
    {
        var replicas = await StartReplicasAsync(3);
        await GetAsync(replicas[0], "/api/posts/", "/api/posts/", "/api/posts/", "/api/users/1");
        await GetAsync(replicas[1], "/api/posts/", "/api/posts/", "/api/users/2", "/api/users/2", "/api/posts/?page=2");
        await GetAsync(replicas[2], "/api/users/1", "/api/users/1", "/api/users/1", "/api/greeting");
        var own = await Task.WhenAll(replicas.Select(replica => CacheStatisticsView.ReadAsync(replica, "?scope=process")));
        Assert.Equal([4L, 5L, 4L], own.Select(view => view.Hits + view.Misses));
        Assert.All(own, view => Assert.Equal(1, view.Replicas));
        var sum = CacheStatisticsView.Sum(own);

        foreach (var replica in replicas)
        {
            var deployment = await CacheStatisticsView.PollAsync(replica, view => view.Matches(sum) && view.Replicas == 3, Converges);

            Assert.Equal((13L, 5L), (deployment.Hits + deployment.Misses, deployment.Misses)); // one miss per key, the store being shared
            Assert.Equal(5, deployment.TopKeys["GET:/api/posts/"]);
            Assert.Equal(4, deployment.TopKeys["GET:/api/users/1"]);
            Assert.Equal(5, deployment.TotalCachedKeys);
        }
        Assert.Equal(5, await store.CountEntriesAsync(_keyPrefix));
        // A process's own view is still its own.
        var stillOwn = await CacheStatisticsView.ReadAsync(replicas[0], "?scope=process");
        Assert.True(stillOwn.Matches(CacheStatisticsView.Sum([own[0]])) && stillOwn.Replicas == 1);
    }

    [Fact]
    public async Task A_stopped_replica_drops_out_once_its_snapshot_expires()
    {
        var replicas = await StartReplicasAsync(2);
        await GetAsync(replicas[0], "/api/posts/", "/api/posts/");
        await GetAsync(replicas[1], "/api/posts/", "/api/users/1", "/api/users/1");
        var own = await Task.WhenAll(replicas.Select(replica => CacheStatisticsView.ReadAsync(replica, "?scope=process")));
        await CacheStatisticsView.PollAsync(replicas[0], view => view.Matches(CacheStatisticsView.Sum(own)) && view.Replicas == 2, Converges);

        await replicas[1].DisposeAsync();
        _replicas.Remove(replicas[1]);

        var alone = await CacheStatisticsView.PollAsync(replicas[0], view => view.Replicas == 1, Converges);
        Assert.True(alone.Matches(CacheStatisticsView.Sum([own[0]])), $"{alone.Hits} hits, {alone.Misses} misses, {string.Join(", ", alone.TopKeys)}");
        Assert.False(alone.TopKeys.ContainsKey("GET:/api/users/1"));
        Assert.Equal(2, alone.TotalCachedKeys); // the entries stay: only the stopped process's counts go
    }

    [Fact]
    public async Task A_replica_that_cannot_reach_the_store_reports_only_itself()
    {
        var replicas = await StartReplicasAsync(1);
        await using var proxy = new PausableTcpProxy(store.Server.Port);
        var cutOff = await StartAsync(new ApiFactory(proxy.ConnectionString) { KeyPrefix = _keyPrefix });
        await GetAsync(replicas[0], "/api/posts/", "/api/posts/");
        await GetAsync(cutOff, "/api/users/1", "/api/posts/");
        var own = await CacheStatisticsView.ReadAsync(cutOff, "?scope=process");
        await CacheStatisticsView.PollAsync(cutOff, view => view.Replicas == 2, Converges);

        proxy.Sever();
        var alone = await CacheStatisticsView.ReadAsync(cutOff);

        Assert.True(alone.Matches(CacheStatisticsView.Sum([own])), $"{alone.Hits} hits, {alone.Misses} misses, {string.Join(", ", alone.TopKeys)}");
        Assert.Equal(1, alone.Replicas);
        Assert.Null(alone.TotalCachedKeys);
    }

    [Fact]
    public async Task A_replica_that_cannot_publish_drops_out_until_it_can_and_logs_only_the_two_changes()
    {
        var replicas = await StartReplicasAsync(1);
        await using var proxy = new PausableTcpProxy(store.Server.Port);
        var cutOff = await StartAsync(new ApiFactory(proxy.ConnectionString) { KeyPrefix = _keyPrefix });
        await GetAsync(cutOff, "/api/users/1");
        await CacheStatisticsView.PollAsync(replicas[0], view => view.Replicas == 2 && view.Misses == 1, Converges);

        proxy.Sever();
        // Dropping out takes the snapshot's 4 s lifetime: several publications failed meanwhile.
        await CacheStatisticsView.PollAsync(replicas[0], view => view.Replicas == 1 && view.Misses == 0, Converges);
        proxy.Resume();
        await CacheStatisticsView.PollAsync(replicas[0], view => view.Replicas == 2 && view.Misses == 1, Converges);

        // Logged once the reply is back, which may be just after the other replica read the snapshot.
        var logged = await Eventually.ValueAsync(_ => Task.FromResult(
            PublisherLines(cutOff) is { Count: >= 2 } lines && lines[^1].Contains("published again", StringComparison.Ordinal) ? lines : null), Converges);
        Assert.Equal(2, logged.Count);
        Assert.StartsWith("Information", logged[0]);
        Assert.Contains("not published", logged[0]);
        Assert.Contains("published again", logged[1]);
    }

    [Theory]
    [InlineData("?scope=bogus")]
    [InlineData("?scope=processes")]
    [InlineData("?scope=deployment&scope=process")]
    public async Task An_unknown_scope_is_a_400_problem_and_changes_nothing(string query)
    {
        var replicas = await StartReplicasAsync(1);
        await GetAsync(replicas[0], "/api/posts/", "/api/posts/");
        var before = await CacheStatisticsView.ReadAsync(replicas[0]);
        using var admin = replicas[0].CreateAdminClient();

        using var response = await admin.GetAsync("/metrics/cache" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("'deployment'", problem);
        Assert.Contains("'process'", problem);
        var after = await CacheStatisticsView.ReadAsync(replicas[0], "?scope=deployment");
        Assert.True(after.Matches(CacheStatisticsView.Sum([before])) && after.Replicas == 1 && after.TotalCachedKeys == 1);
    }

    [Fact]
    public async Task A_replica_whose_clock_is_an_hour_behind_is_counted_like_the_others()
    {
        var replicas = await StartReplicasAsync(1);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
        var skewed = await StartAsync(new ApiFactory(store.Server.ConnectionString, time: clock)
        {
            KeyPrefix = _keyPrefix,
            Settings = ApiFactory.SettingsForAJumpingClock,
        });
        await GetAsync(skewed, "/api/users/1");

        // The skewed replica publishes as its own clock ticks: one second at a time, at most 15 (its clock
        // stays an hour behind), each followed by a second of looks.
        CacheStatisticsView view;
        var ticks = 0;
        do
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var looking = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                view = await CacheStatisticsView.ReadAsync(replicas[0]);
            }
            while (!(view.Replicas == 2 && view.Misses == 1) && looking.Elapsed < TimeSpan.FromSeconds(1));
        }
        while (!(view.Replicas == 2 && view.Misses == 1) && ++ticks < 15);

        Assert.True(view.Replicas == 2 && view.Misses == 1, $"{view.Replicas} {view.Misses}; skewed: " + string.Join(" / ", PublisherLines(skewed)));
    }

    private static List<string> PublisherLines(ApiFactory replica) =>
        [.. replica.Logs.Lines.Where(line => line.Contains("StatisticsPublisherService", StringComparison.Ordinal))];

    private async Task<List<ApiFactory>> StartReplicasAsync(int count)
    {
        var replicas = new List<ApiFactory>();
        for (var i = 0; i < count; i++)
        {
            replicas.Add(await StartAsync(new ApiFactory(store.Server.ConnectionString) { KeyPrefix = _keyPrefix }));
        }
        return replicas;
    }

    private async Task<ApiFactory> StartAsync(ApiFactory replica)
    {
        _replicas.Add(replica);
        await replica.WaitUntilStoreConnectedAsync();
        return replica;
    }

    private static async Task GetAsync(ApiFactory replica, params string[] paths)
    {
        using var client = replica.CreateClient(new() { HandleCookies = false });
        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }
}
