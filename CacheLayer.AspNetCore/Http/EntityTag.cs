using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// Strong validators from content: the same bytes give the same <c>ETag</c> on every replica and
/// after every restart, so revalidation works behind a load balancer.
/// </summary>
internal static class EntityTag
{
    public static string For(string? contentType, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(contentType ?? ""));
        hash.AppendData([0]);
        hash.AppendData(body);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return $"\"{Convert.ToBase64String(digest[..16]).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"";
    }

    /// <summary>RFC 9110 §13.1.2: <c>If-None-Match</c> lists <paramref name="etag"/> (weak comparison) or is <c>*</c>.</summary>
    public static bool IsMatchedBy(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0)
        {
            return false;
        }
        if (header.Count == 1)
        {
            // The usual revalidation sends back the one tag it got: compare without parsing.
            var single = header[0].AsSpan().Trim();
            if (single is "*" || single.SequenceEqual(etag) || (single.StartsWith("W/") && single[2..].SequenceEqual(etag)))
            {
                return true;
            }
        }
        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.AsSpan().SequenceEqual(etag))
            {
                return true;
            }
        }
        return false;
    }
}
