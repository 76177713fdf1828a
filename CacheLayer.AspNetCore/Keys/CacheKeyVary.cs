using CacheLayer.AspNetCore.Endpoints;
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
            // The filter bypasses users without an id before building a key.
            Add("user=" + (UserKey.Of(context.User, userSalt) ?? throw new InvalidOperationException("A signed-in user without an id has no per-user key.")));
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
}
