using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// The client's own conditional and range headers, taken off the request while the cache asks the origin for the
/// full representation (or validates its own copy), and answered by the cache: <c>304</c> when
/// <c>If-None-Match</c> matches (weak comparison), or, without one, when <c>If-Modified-Since</c> is not before
/// <c>Last-Modified</c> (RFC 9110 §13.1, §13.2.2).
/// </summary>
internal readonly struct ClientConditions
{
    private static readonly string[] Names =
    [
        HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.IfRange,
    ];

    private readonly StringValues _ifNoneMatch;
    private readonly StringValues _ifModifiedSince;
    private readonly List<(string Name, StringValues Value)>? _taken;

    private ClientConditions(StringValues ifNoneMatch, StringValues ifModifiedSince, List<(string, StringValues)>? taken)
    {
        _ifNoneMatch = ifNoneMatch;
        _ifModifiedSince = ifModifiedSince;
        _taken = taken;
    }

    /// <summary>Takes the conditional headers off <paramref name="request"/>.</summary>
    public static ClientConditions Take(HttpRequest request)
    {
        List<(string, StringValues)>? taken = null;
        foreach (var name in Names)
        {
            if (request.Headers.TryGetValue(name, out var value))
            {
                (taken ??= []).Add((name, value));
                request.Headers.Remove(name);
            }
        }
        return taken is null ? default : new ClientConditions(Find(taken, HeaderNames.IfNoneMatch), Find(taken, HeaderNames.IfModifiedSince), taken);
    }

    /// <summary>The conditional headers, left on <paramref name="request"/> (for an answer the cache gives without asking the origin).</summary>
    public static ClientConditions Read(HttpRequest request) =>
        new(request.Headers.IfNoneMatch, request.Headers.IfModifiedSince, null);

    /// <summary>Puts them back (the rest of the pipeline, and logs, see the request as the client sent it).</summary>
    public void Restore(HttpRequest request)
    {
        foreach (var (name, value) in _taken ?? [])
        {
            request.Headers[name] = value;
        }
    }

    /// <summary>Whether a <c>304</c> answers the client, for a response with these validators.</summary>
    public bool NotModified(string? etag, string? lastModified)
    {
        if (_ifNoneMatch.Count > 0)
        {
            return etag is not null && MatchesAny(_ifNoneMatch, etag);
        }
        if (_ifModifiedSince.Count > 0 && lastModified is not null
            && HeaderUtilities.TryParseDate(_ifModifiedSince.ToString(), out var since)
            && HeaderUtilities.TryParseDate(lastModified, out var modified))
        {
            return modified <= since;
        }
        return false;
    }

    private static bool MatchesAny(StringValues header, string etag)
    {
        var opaque = Opaque(etag);
        foreach (var field in header)
        {
            foreach (var candidate in (field ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (candidate == "*" || Opaque(candidate) == opaque)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    private static StringValues Find(List<(string Name, StringValues Value)> taken, string name)
    {
        foreach (var (found, value) in taken)
        {
            if (found == name)
            {
                return value;
            }
        }
        return default;
    }
}
