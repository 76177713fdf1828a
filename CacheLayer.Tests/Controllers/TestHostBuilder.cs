using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.Controllers;

/// <summary>The two hosts the shared behaviour tests run on; they expose the same routes.</summary>
public enum HostKind
{
    MinimalApi,
    Controllers,
}

/// <summary>
/// What <see cref="MinimalItemsApp"/> and <see cref="ControllersApp"/> set up alike, before their endpoints: an
/// in-memory test server, the store, the key prefix and admin key, a user key salt, the test authentication
/// scheme (<c>Authorization: Test alice</c>), the backend and, if given, the layer's clock.
/// </summary>
public static class TestHostBuilder
{
    public const string UserKeySalt = "shared-host-user-key-salt-0123456789";

    public static WebApplicationBuilder Create(
        string redis, string keyPrefix, string adminApiKey, IReadOnlyDictionary<string, string>? settings, ItemsBackend backend, TimeProvider? time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = redis;
        builder.Configuration["CacheLayer:KeyPrefix"] = keyPrefix;
        builder.Configuration["CacheLayer:AdminApiKey"] = adminApiKey;
        builder.Configuration["CacheLayer:UserKeySalt"] = UserKeySalt;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
        builder.AddCacheLayer("cache");
        builder.Services.AddAuthentication(TestAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthenticationHandler>(TestAuthenticationHandler.SchemeName, _ => { });
        builder.Services.AddSingleton(backend);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        return builder;
    }

    /// <summary>
    /// Waits until the app's own Redis client is connected: the layer starts without Redis and fails open while it
    /// is away, so a first request on a loaded machine could otherwise be a miss that stores nothing.
    /// </summary>
    public static Task UntilStoreConnectedAsync(WebApplication app)
    {
        var redis = app.Services.GetRequiredKeyedService<IConnectionMultiplexer>("cache");
        return Eventually.TrueAsync(() => redis.IsConnected, timeoutSeconds: 15);
    }
}
