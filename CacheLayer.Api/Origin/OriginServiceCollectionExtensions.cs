using CacheLayer.Api.Posts;
using CacheLayer.Api.Users;

namespace CacheLayer.Api.Origin;

public static class OriginServiceCollectionExtensions
{
    /// <summary>The demo's in-memory users and posts, behind the simulated latency.</summary>
    public static TBuilder AddDemoOrigin<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<OriginOptions>()
            .BindConfiguration(OriginOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<OriginLatency>();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<PostStore>();
        return builder;
    }
}
