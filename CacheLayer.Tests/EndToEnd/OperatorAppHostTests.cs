extern alias apphost;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CacheLayer.Tests.Infrastructure;
using Commands = apphost::CacheLayer.AppHost.AdminCommandExtensions;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>
/// The operator's view of a real AppHost run: Prometheus scrapes every replica and answers PromQL, and the
/// dashboard's commands, run as the dashboard runs them (through <see cref="ResourceCommandService"/>), act
/// on the cache of every replica: flush, evict a tag, evict a key prefix, top keys, origin outage.
/// </summary>
public class OperatorAppHostTests(OperatorAppHostFixture host) : IClassFixture<OperatorAppHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(15);
    // Scrapes every 5 s, and reads a new targets file within seconds.
    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_lists_every_api_replica_as_an_up_target_on_its_own_address()
    {
        var expected = host.Replicas.Select(replica => replica.OwnAddress().Authority).Order().ToList();

        var up = await Eventually.ValueAsync(async token =>
        {
            using var targets = await JsonDocument.ParseAsync(await host.Prometheus.GetStreamAsync("/api/v1/targets?state=active", token), cancellationToken: token);
            var found = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Where(target => target.GetProperty("health").GetString() == "up")
                .Select(target => new Uri(target.GetProperty("scrapeUrl").GetString()!).Authority)
                .Order().ToList();
            return found.SequenceEqual(expected) ? found : null;
        }, ScrapeWait);

        Assert.Equal(2, up.Count);
    }

    [Fact]
    public async Task A_PromQL_query_for_the_hit_counter_returns_each_replicas_hits_after_traffic()
    {
        const string query = "sum by (replica) (cachelayer_cache_hits_total{job=\"cachelayer-api\", http_route=\"/api/greeting\"})";
        foreach (var client in host.Own)
        {
            using var warm = await client.GetAsync("/api/greeting");
            using var hit = await client.GetAsync("/api/greeting");
            Assert.Equal("HIT", hit.XCache());
        }

        var perReplica = await Eventually.ValueAsync(async token =>
        {
            using var answer = await JsonDocument.ParseAsync(
                await host.Prometheus.GetStreamAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", token), cancellationToken: token);
            var series = answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .ToDictionary(item => item.GetProperty("metric").GetProperty("replica").GetString()!, item => double.Parse(item.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            return series.Count == host.Replicas.Count && series.Values.All(hits => hits >= 1) ? series : null;
        }, ScrapeWait);

        Assert.Equal(host.Replicas.Select(replica => replica.ResourceId).Order(), perReplica.Keys.Order());
    }

    [Fact]
    public async Task Flush_cache_makes_the_next_get_a_miss_on_the_replica_that_did_not_run_it()
    {
        await WarmAsync("/api/users/1");

        var flushed = await RunAsync(Commands.FlushCommandName);

        Assert.StartsWith("Cache entries deleted", flushed.Message);
        await NextGetMissesAsync("/api/users/1");
    }

    [Fact]
    public async Task Evict_tag_deletes_the_tagged_entries_and_leaves_the_others()
    {
        await WarmAsync("/api/posts/");
        await WarmAsync("/api/users/2");

        var evicted = await RunAsync(Commands.EvictTagCommandName, (Commands.TagArgument, "posts"));

        Assert.StartsWith("Cache entries deleted", evicted.Message);
        await NextGetMissesAsync("/api/posts/");
        using var untouched = await host.Own[0].GetAsync("/api/users/2");
        Assert.Equal("HIT", untouched.XCache());
    }

    [Fact]
    public async Task Evict_key_prefix_deletes_the_keys_under_it_and_leaves_the_others()
    {
        await WarmAsync("/api/users/2");
        await WarmAsync("/api/posts/");

        var evicted = await RunAsync(Commands.EvictPrefixCommandName, (Commands.PrefixArgument, "GET:/api/users/"));

        Assert.StartsWith("Cache entries deleted", evicted.Message);
        await NextGetMissesAsync("/api/users/2");
        using var untouched = await host.Own[0].GetAsync("/api/posts/");
        Assert.Equal("HIT", untouched.XCache());
    }

    [Fact]
    public async Task Evict_tag_with_an_empty_tag_fails_with_the_apis_reason_and_deletes_nothing()
    {
        await WarmAsync("/api/users/1");

        var result = await host.Commands.ExecuteCommandAsync(host.Replicas[0].ResourceId, Commands.EvictTagCommandName,
            Arguments((Commands.TagArgument, "")), CancellationToken.None);

        Assert.False(result.Success);
        using var still = await host.Own[1].GetAsync("/api/users/1");
        Assert.Equal("HIT", still.XCache());
    }

    [Fact]
    public async Task Top_keys_shows_the_hit_ratio_and_the_most_looked_up_keys_of_every_replica()
    {
        await WarmAsync("/api/users/2");

        var result = await RunAsync(Commands.TopKeysCommandName);

        Assert.StartsWith("Hit ratio ", result.Message);
        var table = Assert.IsType<CommandResultData>(result.Data);
        Assert.Equal(CommandResultFormat.Markdown, table.Format);
        Assert.Contains("2 replicas", table.Value);
        Assert.Contains("| `GET:/api/users/2` |", table.Value);
    }

    [Fact]
    public async Task Origin_outage_fails_every_replicas_origin_until_it_ends()
    {
        await RunAsync(Commands.OutageCommandName);

        foreach (var client in host.Own)
        {
            // The other replica reads the shared flag within its refresh interval.
            using var down = await Eventually.ResponseAsync(client, "/api/posts/?nocache=true", response => response.StatusCode == HttpStatusCode.ServiceUnavailable, Converge);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            Assert.InRange(down.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        }

        // End it early through the route, and both answer again.
        using var end = new HttpRequestMessage(HttpMethod.Post, "/api/demo/origin/outage?seconds=0") { Headers = { { "X-Api-Key", OperatorAppHostFixture.AdminApiKey } } };
        using var ended = await host.Own[1].SendAsync(end);
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        foreach (var client in host.Own)
        {
            using var up = await Eventually.ResponseAsync(client, "/api/posts/?nocache=true", response => response.StatusCode == HttpStatusCode.OK, Converge);
        }
    }

    /// <summary>Every replica has <paramref name="path"/> cached: a GET on each answers HIT.</summary>
    private async Task WarmAsync(string path)
    {
        foreach (var client in host.Own)
        {
            using var hit = await Eventually.ResponseAsync(client, path, response => response.XCache() == "HIT", Converge);
        }
    }

    /// <summary>
    /// The next GET of <paramref name="path"/> is a miss on the replica that did not run the command, which reads the
    /// invalidation from the log within MaxLag (500 ms). (After that miss the entry is stored again, for both.)
    /// </summary>
    private async Task NextGetMissesAsync(string path)
    {
        using var miss = await Eventually.ResponseAsync(host.Own[1], path, response => response.XCache() != "HIT", Converge);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
    }

    private async Task<ExecuteCommandResult> RunAsync(string command, params (string Name, string Value)[] arguments)
    {
        var result = await host.Commands.ExecuteCommandAsync(host.Replicas[0].ResourceId, command, Arguments(arguments), CancellationToken.None);
        Assert.True(result.Success, result.Message);
        return result;
    }

    private static InteractionInputCollection Arguments(params (string Name, string Value)[] arguments) =>
        new(arguments.Select(argument => new InteractionInput { Name = argument.Name, InputType = InputType.Text, Value = argument.Value }).ToList());
}
