using Microsoft.AspNetCore.Diagnostics;

namespace CacheLayer.Api;

/// <summary>
/// Turns the framework's request-binding failures (a non-numeric id, malformed or wrongly typed JSON,
/// an over-large body) into <c>application/problem+json</c> that says what was wrong, with the
/// framework's own status code (400, 413, 415...) instead of a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Detail = badRequest.Message,
            },
        });
    }
}
