using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Replicas;

/// <summary>
/// Two API hosts on one store (the same key prefix) and one SQLite origin, as the AppHost's replicas run:
/// each reads what the other wrote. The memory tier is off: how fast another host drops its copy is
/// the invalidation log's business (CrossReplicaStalenessTests); here every read past the writer's invalidation
/// goes to Redis, and a miss to the origin.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class SharedOriginTests(CacheServerFixture store) : IDisposable
{
    private readonly SqliteOriginFile _origin = new();
    private readonly string _keyPrefix = $"o{Guid.NewGuid():N}"[..9] + ":";

    [Fact]
    public async Task A_write_through_one_host_is_read_through_the_other()
    {
        await using var a = NewApi(_origin.Settings(MemoryTierOff));
        await using var b = NewApi(_origin.Settings(MemoryTierOff));
        using var clientA = await StartAsync(a);
        using var clientB = await StartAsync(b);
        using var warmA = await clientA.GetAsync("/api/users/1");
        using var warmB = await clientB.GetAsync("/api/users/1");
        Assert.Equal("MISS", warmA.XCache());
        Assert.Equal("HIT", warmB.XCache());
        Assert.Equal("Cached User A", await NameAsync(warmB));

        using var update = await clientA.PutAsJsonAsync("/api/users/1", new { name = "Renamed through A" });
        using var read = await clientB.GetAsync("/api/users/1");
        using var post = await clientB.PostAsJsonAsync("/api/posts/", new { title = "Posted through B" });
        using var posts = await clientA.GetAsync("/api/posts/");

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("MISS", read.XCache());
        Assert.Equal("Renamed through A", await NameAsync(read));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\",\"Posted through B\"]}", await posts.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Hosts_starting_together_on_a_new_file_create_it_and_seed_it_once()
    {
        var apis = Enumerable.Range(0, 4).Select(_ => NewApi(_origin.Settings())).ToList();
        try
        {
            // Every host's start-up (schema, seed) runs at once on the file none of them found.
            await Task.WhenAll(apis.Select(api => Task.Run(() => api.Server)));

            foreach (var api in apis)
            {
                using var client = api.CreateClient();
                Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await client.GetStringAsync("/api/posts/?nocache=true"));
                Assert.Equal("{\"user\":{\"id\":2,\"name\":\"Cached User B\"}}", await client.GetStringAsync("/api/users/2?nocache=true"));
            }
            Assert.All(apis, api => Assert.Contains(api.Logs.Lines, line => line.Contains("Demo origin: SQLite database") && line.Contains(_origin.Path)));
        }
        finally
        {
            foreach (var api in apis)
            {
                await api.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Without_an_origin_setting_each_host_keeps_its_own_data_and_says_it_is_single_replica()
    {
        await using var a = NewApi(new() { [MemoryTierOff.Key] = MemoryTierOff.Value });
        await using var b = NewApi(new() { [MemoryTierOff.Key] = MemoryTierOff.Value });
        using var clientA = await StartAsync(a);
        using var clientB = await StartAsync(b);
        using var warmA = await clientA.GetAsync("/api/users/1");
        using var warmB = await clientB.GetAsync("/api/users/1");
        Assert.Equal("HIT", warmB.XCache());

        using var update = await clientA.PutAsJsonAsync("/api/users/1", new { name = "Renamed through A" });
        using var readB = await clientB.GetAsync("/api/users/1");

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        // B's miss asked B's own origin, which never saw the write: why the demo needs the shared origin for replicas.
        Assert.Equal("MISS", readB.XCache());
        Assert.Equal("Cached User A", await NameAsync(readB));
        foreach (var api in new[] { a, b })
        {
            var notice = Assert.Single(api.Logs.Lines, line => line.Contains("Demo origin: in process memory"));
            Assert.StartsWith("Warning", notice);
            Assert.Contains("Single replica only", notice);
        }
    }

    private static readonly (string Key, string Value) MemoryTierOff = ("CacheLayer:MemoryTier:Enabled", "false");

    private ApiFactory NewApi(Dictionary<string, string> settings) =>
        new(store.Server.ConnectionString) { KeyPrefix = _keyPrefix, Settings = settings };

    private static async Task<HttpClient> StartAsync(ApiFactory api)
    {
        await api.WaitUntilStoreConnectedAsync();
        return api.CreateClient(new() { HandleCookies = false });
    }

    private static async Task<string> NameAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<UserBody>())!.User.Name;

    public void Dispose() => _origin.Dispose();

    private sealed record UserBody(UserBody.UserPart User)
    {
        public sealed record UserPart(int Id, string Name);
    }
}
