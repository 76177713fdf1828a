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

        admin.MapDelete("/api/cache", DeleteFromCache)
            .WithSummary("Deletes one cache key, every entry with a tag, or every key with a prefix.");
        admin.MapGet("/metrics/cache", GetCacheStatistics)
            .WithSummary("Hits, misses and top keys of this process, and the live entries in the store.");

        return endpoints;
    }

    /// <summary><c>?key=GET:/api/posts/</c>, <c>?tag=posts</c> or <c>?prefix=GET:/api/users/</c>: exactly one.</summary>
    public static async Task<Results<Ok<MessageResponse>, Ok<DeletedResponse>, Accepted<MessageResponse>, NotFound<MessageResponse>, ProblemHttpResult>> DeleteFromCache(
        string? key, string? tag, string? prefix, CacheInvalidator invalidator, HttpContext context)
    {
        var route = EndpointRoute.TemplateOf(context);
        switch ((string.IsNullOrEmpty(key), string.IsNullOrEmpty(tag), string.IsNullOrEmpty(prefix)))
        {
            case (false, true, true):
                var removed = await invalidator.InvalidateAsync(route, CacheInvalidation.Key(key!));
                if (removed is null)
                {
                    return TypedResults.Accepted((string?)null, new MessageResponse(Deferred));
                }
                return removed == 0
                    ? TypedResults.NotFound(new MessageResponse("Cache key not found"))
                    : TypedResults.Ok(new MessageResponse("Cache key deleted"));

            case (true, false, true):
                return await InvalidateAsync(invalidator, route, CacheInvalidation.Tag(tag!));

            case (true, true, false):
                return await InvalidateAsync(invalidator, route, CacheInvalidation.Prefix(prefix!));

            default:
                return TypedResults.Problem(
                    "Give exactly one of the query parameters 'key' (e.g. ?key=GET:/api/posts/), 'tag' (?tag=posts) or 'prefix' (?prefix=GET:/api/users/).",
                    statusCode: StatusCodes.Status400BadRequest);
        }
    }

    public static async Task<Ok<CacheStatisticsResponse>> GetCacheStatistics(
        CacheStatistics statistics, CacheStoreGuard store, HttpContext context)
    {
        var count = await store.RunAsync(EndpointRoute.TemplateOf(context), "count", s => s.CountAsync());
        var topKeys = statistics.TopKeys(TopKeysReported).Select(pair => new KeyLookups(pair.Key, pair.Value)).ToList();
        return TypedResults.Ok(new CacheStatisticsResponse(
            statistics.Hits, statistics.Misses, topKeys, count.Succeeded ? count.Value : null));
    }

    private static async Task<Results<Ok<MessageResponse>, Ok<DeletedResponse>, Accepted<MessageResponse>, NotFound<MessageResponse>, ProblemHttpResult>> InvalidateAsync(
        CacheInvalidator invalidator, string route, CacheInvalidation invalidation) =>
        await invalidator.InvalidateAsync(route, invalidation) is { } deleted
            ? TypedResults.Ok(new DeletedResponse("Cache entries deleted", deleted))
            : TypedResults.Accepted((string?)null, new MessageResponse(Deferred));

    private const string Deferred = "The cache store is unavailable; the invalidation is applied before it is read again";
}
