using Microsoft.AspNetCore.Http;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Admin;

/// <summary>
/// Lets a request through only with <c>X-Api-Key</c> equal to the configured admin key, compared in
/// fixed time (both sides hashed first, so neither content nor length leaks through timing). Fails
/// closed: with no key configured nobody gets in. A refusal never says what was wrong with the key.
/// </summary>
internal sealed class AdminApiKeyFilter(IOptionsMonitor<CacheLayerOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = options.CurrentValue.AdminApiKey;
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(configured) || presented.Length == 0 || !FixedTimeEquals(presented, configured))
        {
            return TypedResults.Problem(
                $"Admin routes need a valid {HeaderName} header.",
                statusCode: StatusCodes.Status401Unauthorized);
        }
        return await next(context);
    }

    private static bool FixedTimeEquals(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
