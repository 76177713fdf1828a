using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Controllers;

/// <summary>
/// MVC ways of reading the request that minimal APIs do not have: a query value bound to a controller property,
/// and conventional routing, where the controller and action names are route values.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class ControllerBindingTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string AdminApiKey = "controller-binding-admin-key-0123456789";
    private const string Stored = "CacheLayer; fwd=miss; stored";
    private const string FirstItem = "{\"id\":1,\"name\":\"First item\"}";
    private const string SecondItem = "{\"id\":2,\"name\":\"Second item\"}";
    private const string RenamedItem = "{\"id\":1,\"name\":\"Renamed item\"}";

    private readonly string _keyPrefix = $"b{Guid.NewGuid():N}"[..9] + ":";
    private readonly ItemsBackend _backend = new();
    private WebApplication? _app;
    private HttpClient? _client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>[BindProperty(SupportsGet = true)]</c> binds <c>?page=</c> as an action parameter would: each page is
    /// its own entry, and a second page is never answered with the first.
    /// </summary>
    [Fact]
    public async Task A_query_value_bound_to_a_controller_property_gets_its_own_entry()
    {
        var client = await StartAsync([typeof(PagedController)]);
        using var first = await client.GetAsync("/paged?page=1");
        Assert.Equal(Stored, first.CacheStatus());
        Assert.Equal($"[{FirstItem}]", await first.Content.ReadAsStringAsync());

        using var second = await client.GetAsync("/paged?page=2");

        Assert.Equal($"[{SecondItem}]", await second.Content.ReadAsStringAsync());
        Assert.Equal(Stored, second.CacheStatus());
        Assert.Equal(2, _backend.Calls("GET /items"));
        using var firstAgain = await client.GetAsync("/paged?page=1");
        Assert.Equal("HIT", firstAgain.XCache());
        Assert.Equal($"[{FirstItem}]", await firstAgain.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// On <c>{controller}/{action}/{id?}</c>, <c>/catalog/item/1</c> and <c>/Catalog/Item/1</c> are one
    /// resource, as <c>/API/Posts</c> and <c>/api/posts</c> are on an attribute route: one entry.
    /// </summary>
    [Fact]
    public async Task Spellings_of_a_conventional_route_share_one_entry()
    {
        var client = await StartAsync([typeof(CatalogController)], conventionalRoute: true);
        using var lower = await client.GetAsync("/catalog/item/1");
        Assert.Equal(Stored, lower.CacheStatus());
        Assert.Equal(FirstItem, await lower.Content.ReadAsStringAsync());

        using var upper = await client.GetAsync("/Catalog/Item/1");

        Assert.Equal(FirstItem, await upper.Content.ReadAsStringAsync());
        Assert.True("HIT" == upper.XCache(), $"GET /Catalog/Item/1 after /catalog/item/1: {upper.CacheStatus()}; entries: " +
            string.Join(", ", (await store.EntryKeysAsync(_keyPrefix)).Select(key => CacheServerFixture.CacheKeyOf(key, _keyPrefix))));
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
    }

    /// <summary>
    /// A write on a conventional route with <c>[InvalidatesCache("GET:/catalog/item/{id}")]</c>: the next read
    /// sees the new data, whichever spelling of the path filled the entry (here a link in the controller's own
    /// casing, as <c>Url.Action</c> writes it).
    /// </summary>
    [Theory]
    [InlineData("/catalog/item/1")]
    [InlineData("/Catalog/Item/1")]
    public async Task A_write_on_a_conventional_route_invalidates_what_it_names(string readPath)
    {
        var client = await StartAsync([typeof(CatalogController)], conventionalRoute: true);
        using var warm = await client.GetAsync(readPath);
        Assert.Equal(Stored, warm.CacheStatus());
        using var hit = await client.GetAsync(readPath);
        Assert.Equal("HIT", hit.XCache());

        using var put = await client.PutAsJsonAsync("/catalog/rename/1", new { id = 1, name = "Renamed item" });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        using var next = await client.GetAsync(readPath);
        Assert.True(RenamedItem == await next.Content.ReadAsStringAsync(),
            $"GET {readPath} after the write: {next.XCache()} {next.CacheStatus()}, entries: " +
            string.Join(", ", (await store.EntryKeysAsync(_keyPrefix)).Select(key => CacheServerFixture.CacheKeyOf(key, _keyPrefix))));
        Assert.Equal("MISS", next.XCache());
    }

    private async Task<HttpClient> StartAsync(Type[] controllers, bool conventionalRoute = false)
    {
        _app = ControllersApp.Build(store.Server.ConnectionString, _keyPrefix, AdminApiKey, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["CacheLayer:OperationTimeout"] = "00:00:02",
        }, _backend, controllers: controllers, conventionalRoute: conventionalRoute);
        await _app.StartAsync();
        return _client = _app.GetTestClient();
    }
}
