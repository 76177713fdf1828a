using CacheLayer.AspNetCore.Coherence;
using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Storage;
using CacheLayer.AspNetCore.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the cache layer's admin routes.</summary>
public static class CacheLayerAdminEndpoints
{
    /// <summary>
    /// Maps <c>DELETE /api/cache?key=|tag=|prefix=</c> and <c>GET /metrics/cache[?scope=deployment|process]</c>
    /// (hits, misses and top keys of every live replica or of this process, live entries), behind <c>X-Api-Key</c> equal to <see cref="CacheLayer.AspNetCore.CacheLayerOptions.AdminApiKey"/>.
    /// </summary>
    /// <returns>The group of admin routes, to add conventions to (e.g. authorization, rate limiting).</returns>
    public static RouteGroupBuilder MapCacheLayerAdmin(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = endpoints.MapGroup("").WithTags("Cache admin").AddEndpointFilter<AdminApiKeyFilter>();

        admin.MapDelete("/api/cache", DeleteFromCacheAsync)
            .WithSummary("Deletes one cache key, every entry with a tag, or every key with a prefix.");
        admin.MapGet("/metrics/cache", ReadStatisticsAsync)
            .WithSummary("Hits, misses and top keys of every live replica (?scope=process: of this one), and the live entries in the store.");
        return admin;
    }

    /// <summary><c>?scope=deployment</c> (the default) or <c>?scope=process</c>.</summary>
    private static async Task<Results<Ok<CacheStatisticsResponse>, ProblemHttpResult>> ReadStatisticsAsync(
        string? scope, CacheStatisticsReport report, HttpContext context)
    {
        if (CacheStatisticsScopes.Parse(scope) is not { } chosen)
        {
            return TypedResults.Problem(
                "The query parameter 'scope' is 'deployment' (every live replica, the default) or 'process' (the replica that answers).",
                statusCode: StatusCodes.Status400BadRequest);
        }
        return TypedResults.Ok(await report.ReadAsync(RouteOf(context), chosen));
    }

    /// <summary><c>?key=GET:/api/posts/</c>, <c>?tag=posts</c> or <c>?prefix=GET:/api/users/</c>: exactly one.</summary>
    private static async Task<Results<Ok<AdminMessage>, Ok<DeletedResponse>, Accepted<AdminMessage>, NotFound<AdminMessage>, ProblemHttpResult>> DeleteFromCacheAsync(
        string? key, string? tag, string? prefix, CacheInvalidator invalidator, HttpContext context)
    {
        CacheInvalidation? invalidation = (string.IsNullOrEmpty(key), string.IsNullOrEmpty(tag), string.IsNullOrEmpty(prefix)) switch
        {
            (false, true, true) => CacheInvalidation.Key(key!),
            (true, false, true) => CacheInvalidation.Tag(tag!),
            (true, true, false) => CacheInvalidation.Prefix(prefix!),
            _ => null,
        };
        if (invalidation is not { } chosen)
        {
            return TypedResults.Problem(
                "Give exactly one of the query parameters 'key' (e.g. ?key=GET:/api/posts/), 'tag' (?tag=posts) or 'prefix' (?prefix=GET:/api/users/).",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var result = await invalidator.InvalidateAsync(RouteOf(context), chosen);
        if (result.Deferred)
        {
            return TypedResults.Accepted((string?)null, new AdminMessage(Deferred));
        }
        if (chosen.Kind != CacheInvalidationKind.Key)
        {
            return TypedResults.Ok(new DeletedResponse("Cache entries deleted", result.Removed));
        }
        return result.Removed == 0
            ? TypedResults.NotFound(new AdminMessage("Cache key not found"))
            : TypedResults.Ok(new AdminMessage("Cache key deleted"));
    }

    private const string Deferred = "The cache store is unavailable; the invalidation is applied before it is read again";

    /// <summary>The route template, the <c>http.route</c> tag of the admin routes' store calls and invalidations.</summary>
    private static string RouteOf(HttpContext context) => (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unrouted)";
}
