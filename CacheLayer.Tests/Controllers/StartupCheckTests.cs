using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Controllers;

/// <summary>
/// A controllers host declared wrongly stops at start-up, with a message that says what to fix, instead of
/// silently caching nothing or failing at the first write.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class StartupCheckTests(CacheServerFixture store)
{
    private const string AdminApiKey = "startup-check-admin-key-0123456789";

    private readonly string _keyPrefix = $"c{Guid.NewGuid():N}"[..9] + ":";

    [Fact]
    public async Task A_cached_action_without_UseCacheLayer_stops_the_host_naming_UseCacheLayer()
    {
        // The same host with the middleware starts and caches: only the missing call fails it.
        await using (var withMiddleware = ControllersApp.Build(store.Server.ConnectionString, _keyPrefix, AdminApiKey, controllers: [typeof(ItemsController)]))
        {
            await withMiddleware.StartAsync();
            await TestHostBuilder.UntilStoreConnectedAsync(withMiddleware);
            using var client = withMiddleware.GetTestClient();
            using var warm = await client.GetAsync("/items/1");
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
            await withMiddleware.StopAsync();
        }
        await using var app = ControllersApp.Build(store.Server.ConnectionString, _keyPrefix, AdminApiKey,
            controllers: [typeof(ItemsController)], useCacheLayer: false);

        var failure = await Record.ExceptionAsync(() => app.StartAsync());

        var refused = Assert.IsType<InvalidOperationException>(failure);
        Assert.Contains("app.UseCacheLayer()", refused.Message);
        Assert.Contains(nameof(ItemsController), refused.Message);
    }

    [Fact]
    public async Task A_host_without_UseCacheLayer_and_without_cached_actions_starts()
    {
        await using var app = ControllersApp.Build(store.Server.ConnectionString, _keyPrefix, AdminApiKey,
            controllers: [typeof(PlainController)], useCacheLayer: false);

        await app.StartAsync();
        using var client = app.GetTestClient();
        using var response = await client.GetAsync("/plain/1");

        Assert.Equal("plain 1", await response.Content.ReadAsStringAsync());
        Assert.Null(response.XCache());
        await app.StopAsync();
    }

    [Fact]
    public async Task An_invalidation_whose_parameter_nothing_fills_stops_the_host_naming_the_action()
    {
        await using var app = ControllersApp.Build(store.Server.ConnectionString, _keyPrefix, AdminApiKey,
            controllers: [typeof(ItemsController), typeof(BrokenInvalidationController)]);

        var failure = await Record.ExceptionAsync(() => app.StartAsync());

        var refused = Assert.IsType<InvalidOperationException>(failure);
        Assert.Contains($"{typeof(BrokenInvalidationController).FullName}.{nameof(BrokenInvalidationController.Put)}", refused.Message);
        Assert.Contains("GET:/items/{nope}", refused.Message);
        Assert.Contains("'nope'", refused.Message);
    }
}
