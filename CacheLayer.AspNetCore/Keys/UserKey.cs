using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// The user part of a per-user key: 32 hex digits of SHA-256 over a secret salt and the user's stable
/// id (<c>NameIdentifier</c>, else <c>sub</c>): stable across replicas and restarts, but neither a
/// name nor a token, and not guessable without the salt. A display name is never an id.
/// </summary>
internal static class UserKey
{
    public static string? IdOf(ClaimsPrincipal user) => IdClaimOf(user)?.Value;

    /// <summary>The claim that holds the user's stable id: <c>NameIdentifier</c>, else <c>sub</c>.</summary>
    private static Claim? IdClaimOf(ClaimsPrincipal user) =>
        user.FindFirst(ClaimTypes.NameIdentifier) is { Value.Length: > 0 } id ? id
        : user.FindFirst("sub") is { Value.Length: > 0 } sub ? sub
        : null;

    /// <summary><c>anonymous</c>, or the salted hash of the id; null for a signed-in user without one (not cacheable).</summary>
    public static string? Of(ClaimsPrincipal user, string salt)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return "anonymous";
        }
        if (IdClaimOf(user) is not { } id)
        {
            return null;
        }
        // The issuer too: two token issuers (or schemes) may hand out the same id to different people.
        var hash = HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes($"{user.Identity.AuthenticationType}\n{id.Issuer}\n{id.Value}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
