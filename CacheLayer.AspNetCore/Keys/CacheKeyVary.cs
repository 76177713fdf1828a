using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// The variant part of a key: the normalized values of the headers an endpoint varies by (names in lower
/// case, sorted; a header the request lacks, or whose value normalizes to nothing, adds nothing, so such
/// requests share the plain key) and, for <see cref="CachePolicy.VaryByUser"/>, <c>user=</c> and a hash of the user's
/// identity: stable across replicas and restarts, but neither a name nor a token.
/// </summary>
internal static class CacheKeyVary
{
    public static string From(HttpContext context, CachePolicy policy, string userSalt)
    {
        // A loop, not LINQ: this runs on every hit.
        string? single = null;
        List<string>? parts = null;
        foreach (var (header, keyName) in policy.VaryKeyNames)
        {
            if (header.KeyValue(context) is { } value)
            {
                Add(string.Concat(keyName, "=", Uri.EscapeDataString(value)));
            }
        }
        if (policy.VaryByUser)
        {
            Add("user=" + UserHash(context.User, userSalt));
        }
        return parts is null ? single ?? "" : string.Join('&', parts);

        void Add(string part)
        {
            if (single is null)
            {
                single = part;
            }
            else
            {
                (parts ??= [single]).Add(part);
            }
        }
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
