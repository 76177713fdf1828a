using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.Api.Demo;

public sealed record OriginOutageResponse(string Message, DateTimeOffset? Until);

public static class OriginOutageApi
{
    /// <summary>
    /// Maps <c>POST /api/demo/origin/outage?seconds=N</c> onto <paramref name="admin"/>, the group
    /// <c>MapCacheLayerAdmin</c> returns, so it takes the same <c>X-Api-Key</c> as the library's admin routes.
    /// </summary>
    public static RouteGroupBuilder MapDemoOriginOutage(this RouteGroupBuilder admin)
    {
        admin.MapPost("/api/demo/origin/outage", StartOutageAsync)
            .WithTags("Demo")
            .WithSummary("Makes the demo origin fail (503) for ?seconds=N (1 to 3600) on every replica; ?seconds=0 ends an outage early.");
        return admin;
    }

    public static async Task<Results<Ok<OriginOutageResponse>, ProblemHttpResult>> StartOutageAsync(
        string? seconds, OriginOutage outage, CancellationToken cancellationToken)
    {
        if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > OriginOutage.MaxSeconds)
        {
            return TypedResults.Problem(
                $"The query parameter 'seconds' is how long the outage lasts, from 1 to {OriginOutage.MaxSeconds} (0 ends one early); got '{seconds}'.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var until = await outage.SetAsync(TimeSpan.FromSeconds(n), cancellationToken);
        return TypedResults.Ok(until is { } end
            ? new OriginOutageResponse($"The demo origin fails every call for {n} s", end)
            : new OriginOutageResponse("The demo origin is up", null));
    }
}
