// A host whose endpoints are MVC controllers (ItemsControllers.cs), declared with the attributes; the twin of
// MinimalItemsApp. Public API of the library only.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.Controllers;

public static class ControllersApp
{
    /// <summary>The controllers a host serves unless told otherwise.</summary>
    public static readonly Type[] DefaultControllers = [typeof(ItemsController), typeof(VariantsController)];

    /// <summary>Starts the app on an in-memory test server; <c>app.GetTestClient()</c> talks to it.</summary>
    public static async Task<WebApplication> StartAsync(
        string redis, string keyPrefix, string adminApiKey, IReadOnlyDictionary<string, string>? settings = null,
        ItemsBackend? backend = null, TimeProvider? time = null)
    {
        var app = Build(redis, keyPrefix, adminApiKey, settings, backend, time);
        await app.StartAsync();
        await TestHostBuilder.UntilStoreConnectedAsync(app);
        return app;
    }

    /// <summary>
    /// Builds the app, not started: the start-up checks run in <c>StartAsync</c>. Serves only
    /// <paramref name="controllers"/> (the test assembly holds controllers meant to fail start-up);
    /// <paramref name="useCacheLayer"/> false leaves <c>app.UseCacheLayer()</c> out; <paramref name="conventionalRoute"/>
    /// adds the conventional route <c>{controller}/{action}/{id?}</c>.
    /// </summary>
    public static WebApplication Build(
        string redis, string keyPrefix, string adminApiKey, IReadOnlyDictionary<string, string>? settings = null,
        ItemsBackend? backend = null, TimeProvider? time = null, Type[]? controllers = null, bool useCacheLayer = true,
        bool conventionalRoute = false)
    {
        var builder = TestHostBuilder.Create(redis, keyPrefix, adminApiKey, settings, backend ?? new ItemsBackend(), time);
        builder.Services.AddControllers()
            .AddApplicationPart(typeof(ControllersApp).Assembly)
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyControllers(controllers ?? DefaultControllers)));

        var app = builder.Build();

        if (useCacheLayer)
        {
            app.UseCacheLayer();
        }
        app.MapControllers();
        if (conventionalRoute)
        {
            app.MapControllerRoute("default", "{controller}/{action}/{id?}");
        }
        app.MapCacheLayerAdmin();
        return app;
    }

    /// <summary>Runs after MVC's own provider and keeps only the given controllers.</summary>
    private sealed class OnlyControllers(Type[] keep) : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            foreach (var controller in feature.Controllers.Where(type => !keep.Contains(type.AsType())).ToList())
            {
                feature.Controllers.Remove(controller);
            }
        }
    }
}
