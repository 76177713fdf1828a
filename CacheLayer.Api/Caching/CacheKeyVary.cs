using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Api.Caching;

/// <summary>
/// The variant part of a key: the values of the headers an endpoint varies by (names in lower case,
/// sorted; a header the request lacks adds nothing, so such requests share the plain key) and, for <see cref="CachePolicy.VaryByUser"/>, <c>user=</c> and a hash of the user's
/// identity: stable across replicas and restarts, but neither a name nor a token.
/// </summary>
public static class CacheKeyVary
{
    public static string From(HttpContext context, CachePolicy policy, string userSalt)
    {
        if (!policy.VaryByUser && !AnyPresent(context.Request.Headers, policy.VaryByHeaders))
        {
            return "";
        }

        var parts = policy.VaryByHeaders
            .Select(name => (Name: name.ToLowerInvariant(), Value: context.Request.Headers[name].ToString()))
            .Where(header => header.Value.Length > 0)
            .OrderBy(header => header.Name, StringComparer.Ordinal)
            .Select(header => $"{header.Name}={Uri.EscapeDataString(header.Value)}")
            .ToList();
        if (policy.VaryByUser)
        {
            parts.Add($"user={UserHash(context.User, userSalt)}");
        }
        return string.Join('&', parts);
    }

    private static bool AnyPresent(IHeaderDictionary headers, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>anonymous</c>, or 32 hex digits of SHA-256 over the salted identity.</summary>
    public static string UserHash(ClaimsPrincipal user, string salt)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return "anonymous";
        }
        var identity = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name ?? "";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}\n{user.Identity.AuthenticationType}\n{identity}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
