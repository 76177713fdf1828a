using CacheLayer.Api.Demo;
using CacheLayer.Api.Posts;
using CacheLayer.Api.Users;

namespace CacheLayer.Api.Origin;

public static class OriginServiceCollectionExtensions
{
    /// <summary>The connection string's name: <c>ConnectionStrings:origin</c>, which the AppHost sets.</summary>
    public const string ConnectionName = "origin";

    /// <summary>
    /// The demo's users and posts behind the simulated latency: in the SQLite database
    /// <c>ConnectionStrings:origin</c> names, shared by every replica given it, else in this process's memory.
    /// </summary>
    public static TBuilder AddDemoOrigin<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<OriginOptions>()
            .BindConfiguration(OriginOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<OriginLatency>();
        builder.Services.AddOptions<DemoTtlOptions>()
            .BindConfiguration(DemoTtlOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddExceptionHandler<OriginOutageExceptionHandler>();

        if (builder.Configuration.GetConnectionString(ConnectionName) is { Length: > 0 } connectionString)
        {
            builder.Services.AddSingleton(new SqliteOrigin(connectionString));
            builder.Services.AddHostedService<SqliteOriginInitializer>();
            builder.Services.AddSingleton<IUserStore, SqliteUserStore>();
            builder.Services.AddSingleton<IPostStore, SqlitePostStore>();
            builder.Services.AddSingleton<OriginOutage, SqliteOriginOutage>();
        }
        else
        {
            builder.Services.AddHostedService<InMemoryOriginNotice>();
            builder.Services.AddSingleton<IUserStore, InMemoryUserStore>();
            builder.Services.AddSingleton<IPostStore, InMemoryPostStore>();
            builder.Services.AddSingleton<OriginOutage, InProcessOriginOutage>();
        }
        return builder;
    }
}
