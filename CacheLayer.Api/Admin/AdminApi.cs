using CacheLayer.Api.Caching;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.Api.Admin;

public static class AdminApi
{
    public const int TopKeysReported = 10;

    public static TBuilder AddAdminApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(ResponseCachingOptions.SectionName);
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("").WithTags("Admin").AddEndpointFilter<AdminApiKeyFilter>();

        admin.MapDelete("/api/cache", DeleteCacheKey);
        admin.MapGet("/metrics/cache", GetCacheStatistics);

        return endpoints;
    }

    public static async Task<Results<Ok<MessageResponse>, NotFound<MessageResponse>, ProblemHttpResult>> DeleteCacheKey(
        string? key, CacheStoreGuard store, CacheMetrics metrics, HttpContext context)
    {
        if (string.IsNullOrEmpty(key))
        {
            return TypedResults.Problem("The 'key' query parameter is required, e.g. ?key=GET:/api/posts/.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var route = EndpointRoute.TemplateOf(context);
        var removal = await store.RunAsync(route, "remove", s => s.RemoveAsync(key));
        if (!removal.Succeeded)
        {
            return StoreUnavailable();
        }
        if (!removal.Value)
        {
            return TypedResults.NotFound(new MessageResponse("Cache key not found"));
        }
        metrics.Invalidation(route);
        return TypedResults.Ok(new MessageResponse("Cache key deleted"));
    }

    public static async Task<Ok<CacheStatisticsResponse>> GetCacheStatistics(
        CacheStatistics statistics, CacheStoreGuard store, HttpContext context)
    {
        var count = await store.RunAsync(EndpointRoute.TemplateOf(context), "count", s => s.CountAsync());
        var topKeys = statistics.TopKeys(TopKeysReported).Select(pair => new KeyLookups(pair.Key, pair.Value)).ToList();
        return TypedResults.Ok(new CacheStatisticsResponse(
            statistics.Hits, statistics.Misses, topKeys, count.Succeeded ? count.Value : null));
    }

    private static ProblemHttpResult StoreUnavailable() =>
        TypedResults.Problem("The cache store did not answer; try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
