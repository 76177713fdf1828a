using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;

namespace CacheLayer.Api.Demo;

/// <summary>
/// Turns <see cref="OriginOutageException"/> into <c>503 application/problem+json</c> with a
/// <c>Retry-After</c> of the seconds left: the API is up, its origin is not.
/// </summary>
public sealed class OriginOutageExceptionHandler(IProblemDetailsService problemDetails, TimeProvider time) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not OriginOutageException outage)
        {
            return false;
        }

        var left = Math.Max(1, (int)Math.Ceiling((outage.Until - time.GetUtcNow()).TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = left.ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The origin is unavailable",
                Detail = $"The demo origin is in a simulated outage until {outage.Until:O}.",
            },
        });
    }
}
