using System.Text;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// An origin's stored response as the origin-directed pipeline reads it: its header fields (all but the
/// hop-by-hop ones, <c>Set-Cookie</c>, <c>Age</c> and <c>X-Cache</c>), the request header values its <c>Vary</c> selected, and
/// what its <c>Cache-Control</c> (or, acting as a CDN, <c>CDN-Cache-Control</c>) says about reusing it.
/// Encoded into <see cref="CacheEntry.Headers"/>: one <c>name:value</c> per line, a selected request header
/// as <c>?name:value</c> (or <c>?name</c> when the request did not send it).
/// </summary>
internal sealed class StoredHttpResponse
{
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, "Proxy-Authentication-Info",
        HeaderNames.ProxyConnection, HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade,
        HeaderNames.SetCookie, HeaderNames.Age, CacheHeaders.XCache,
    };

    private StoredHttpResponse(List<KeyValuePair<string, string>> headers, List<(string Name, string? Value)> selected, bool actAsCdn)
    {
        Headers = headers;
        Selected = selected;
        var cacheControl = CacheControlDirectives.Parse(Values(HeaderNames.CacheControl));
        var cdn = actAsCdn ? CdnCacheControl.Parse(Values(CdnCacheControl.HeaderName)) : CacheControlDirectives.Empty;
        Directives = cdn.IsEmpty ? cacheControl : cdn;
        NoCache = Directives.Has("no-cache") || (!cdn.IsEmpty && cacheControl.Has("no-cache"));
        MustRevalidate = Directives.Has("must-revalidate") || Directives.Has("proxy-revalidate") || Directives.Has("s-maxage");
        ETag = First(HeaderNames.ETag);
        LastModified = First(HeaderNames.LastModified);
        StaleWhileRevalidate = Directives.HasValidSeconds("stale-while-revalidate") ? Directives.Seconds("stale-while-revalidate")!.Value : TimeSpan.Zero;
        StaleIfError = Directives.HasValidSeconds("stale-if-error") ? Directives.Seconds("stale-if-error")!.Value : TimeSpan.Zero;
        SharedDespiteAuthorization = cacheControl.Has("public") || cacheControl.Has("must-revalidate") || cacheControl.Has("s-maxage");
    }

    public List<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The header fields grouped by name, built once: a hit sets each with one assignment.</summary>
    public KeyValuePair<string, StringValues>[] Fields => _fields ??= [.. Headers
        .GroupBy(header => header.Key, StringComparer.OrdinalIgnoreCase)
        .Select(group => new KeyValuePair<string, StringValues>(group.Key, new StringValues([.. group.Select(header => header.Value)])))];

    private KeyValuePair<string, StringValues>[]? _fields;

    /// <summary>The request header values the response's <c>Vary</c> named, as the stored request sent them (null: not sent).</summary>
    public List<(string Name, string? Value)> Selected { get; }

    /// <summary>The directives that govern a shared cache: <c>CDN-Cache-Control</c>'s when acting as a CDN and it has any, else <c>Cache-Control</c>'s.</summary>
    public CacheControlDirectives Directives { get; }

    public bool NoCache { get; }

    /// <summary><c>must-revalidate</c>, <c>proxy-revalidate</c> or <c>s-maxage</c>: never served stale.</summary>
    public bool MustRevalidate { get; }

    public string? ETag { get; }

    public string? LastModified { get; }

    public bool HasValidator => ETag is not null || LastModified is not null;

    /// <summary>Neither <c>must-revalidate</c> (nor its kin) nor <c>no-cache</c>: it may answer stale where RFC 9111 allows.</summary>
    public bool MayServeStale => !MustRevalidate && !NoCache;

    public TimeSpan StaleWhileRevalidate { get; }

    public TimeSpan StaleIfError { get; }

    /// <summary>May answer a request with <c>Authorization</c> (RFC 9111 §3.5).</summary>
    public bool SharedDespiteAuthorization { get; }

    public StringValues Values(string name)
    {
        StringValues values = default;
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                values = StringValues.Concat(values, value);
            }
        }
        return values;
    }

    public string? First(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>The stored response of an entry, parsed once per entry object.</summary>
    public static StoredHttpResponse Of(CacheEntry entry, bool actAsCdn)
    {
        if (entry.Decoded is StoredHttpResponse decoded)
        {
            return decoded;
        }
        var headers = new List<KeyValuePair<string, string>>();
        var selected = new List<(string, string?)>();
        foreach (var line in (entry.Headers ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':');
            if (line[0] == '?')
            {
                selected.Add(colon < 0 ? (line[1..], null) : (line[1..colon], line[(colon + 1)..]));
            }
            else if (colon > 0)
            {
                headers.Add(new(line[..colon], line[(colon + 1)..]));
            }
        }
        var parsed = new StoredHttpResponse(headers, selected, actAsCdn);
        entry.Decoded = parsed;
        return parsed;
    }

    /// <summary>The response's header fields as stored, with the request values its <c>Vary</c> selects.</summary>
    public static StoredHttpResponse From(IHeaderDictionary response, HttpRequest request, IReadOnlyList<string> varyNames, bool actAsCdn)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response)
        {
            if (NotStored.Contains(name))
            {
                continue;
            }
            foreach (var value in values)
            {
                if (value is not null)
                {
                    headers.Add(new(name, value));
                }
            }
        }
        return new StoredHttpResponse(headers, VaryFields.Select(request, varyNames), actAsCdn);
    }

    /// <summary>This response with <paramref name="update"/>'s header fields in place of its own (RFC 9111 §3.2), as a 304 or HEAD updates it.</summary>
    public StoredHttpResponse UpdatedBy(IHeaderDictionary update, bool actAsCdn)
    {
        var replaced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, _) in update)
        {
            if (!NotStored.Contains(name) && !string.Equals(name, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                replaced.Add(name);
            }
        }
        var headers = Headers.Where(header => !replaced.Contains(header.Key)).ToList();
        foreach (var name in replaced)
        {
            foreach (var value in update[name])
            {
                if (value is not null)
                {
                    headers.Add(new(name, value));
                }
            }
        }
        return new StoredHttpResponse(headers, Selected, actAsCdn);
    }

    /// <summary>Whether <paramref name="request"/> sends what the stored request did for every header the response varies on.</summary>
    public bool Matches(HttpRequest request)
    {
        foreach (var (name, stored) in Selected)
        {
            var sent = request.Headers.TryGetValue(name, out var value) ? VaryFields.Normalize(value) : null;
            if (!string.Equals(sent, stored, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public string Encode()
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in Headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
        foreach (var (name, value) in Selected)
        {
            builder.Append('?').Append(name);
            if (value is not null)
            {
                builder.Append(':').Append(value);
            }
            builder.Append('\n');
        }
        return builder.ToString();
    }
}
