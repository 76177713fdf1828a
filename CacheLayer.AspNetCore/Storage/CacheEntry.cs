using System.Buffers.Binary;
using System.Text;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// A response as the layer holds it: status, content type, entity tag, the handler's own
/// <c>Cache-Control</c> if it set one, and body bytes, with when it was produced and when it expires. Read from a hit, captured from a miss (stored only if it is a
/// 200), and serialized to one compact binary value so a hit is a single Redis read.
/// </summary>
internal sealed record CacheEntry(
    int StatusCode, string? ContentType, string ETag, ReadOnlyMemory<byte> Body, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt)
{
    // version(1) status(2) storedAt(8) expiresAt(8) contentTypeLength(2) etagLength(1) cacheControlLength(2) headersLength(2)
    // contentType etag cacheControl headers body
    private const byte FormatVersion = 4;
    private const int HeaderLength = 1 + 2 + 8 + 8 + 2 + 1 + 2 + 2;

    /// <summary>The <c>Cache-Control</c> the handler set, kept on hits; null when it set none.</summary>
    public string? CacheControl { get; init; }

    /// <summary>
    /// The origin's response headers as an origin-directed endpoint stored them (one <c>name:value</c> per line,
    /// with the request header values its <c>Vary</c> selected); null for an endpoint-declared entry.
    /// </summary>
    public string? Headers { get; init; }

    /// <summary>What the origin-directed pipeline parsed from <see cref="Headers"/>, kept with the entry so a memory hit parses once.</summary>
    internal object? Decoded { get; set; }

    public TimeSpan Age(DateTimeOffset now) => now > StoredAt ? now - StoredAt : TimeSpan.Zero;

    public TimeSpan TimeToLive(DateTimeOffset now) => ExpiresAt > now ? ExpiresAt - now : TimeSpan.Zero;

    public byte[] Serialize()
    {
        var contentType = Encoding.UTF8.GetBytes(ContentType ?? "");
        var etag = Encoding.ASCII.GetBytes(ETag);
        var cacheControl = Encoding.UTF8.GetBytes(CacheControl ?? "");
        var headers = Encoding.UTF8.GetBytes(Headers ?? "");
        if (contentType.Length > ushort.MaxValue || etag.Length > byte.MaxValue || cacheControl.Length > ushort.MaxValue || headers.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("Content type, entity tag, Cache-Control or headers are too long to cache.");
        }

        var bytes = new byte[HeaderLength + contentType.Length + etag.Length + cacheControl.Length + headers.Length + Body.Length];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], checked((ushort)StatusCode));
        BinaryPrimitives.WriteInt64LittleEndian(span[3..], StoredAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[11..], ExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16LittleEndian(span[19..], (ushort)contentType.Length);
        span[21] = (byte)etag.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)cacheControl.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[24..], (ushort)headers.Length);
        contentType.CopyTo(span[HeaderLength..]);
        etag.CopyTo(span[(HeaderLength + contentType.Length)..]);
        cacheControl.CopyTo(span[(HeaderLength + contentType.Length + etag.Length)..]);
        headers.CopyTo(span[(HeaderLength + contentType.Length + etag.Length + cacheControl.Length)..]);
        Body.Span.CopyTo(span[(HeaderLength + contentType.Length + etag.Length + cacheControl.Length + headers.Length)..]);
        return bytes;
    }

    /// <summary>Reads an entry; null for bytes this version did not write (treated as a miss).</summary>
    public static CacheEntry? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < HeaderLength || span[0] != FormatVersion)
        {
            return null;
        }

        var contentTypeLength = BinaryPrimitives.ReadUInt16LittleEndian(span[19..]);
        var etagLength = span[21];
        var cacheControlLength = BinaryPrimitives.ReadUInt16LittleEndian(span[22..]);
        var headersLength = BinaryPrimitives.ReadUInt16LittleEndian(span[24..]);
        var cacheControlStart = HeaderLength + contentTypeLength + etagLength;
        var headersStart = cacheControlStart + cacheControlLength;
        var bodyStart = headersStart + headersLength;
        if (span.Length < bodyStart)
        {
            return null;
        }

        return new CacheEntry(
            BinaryPrimitives.ReadUInt16LittleEndian(span[1..]),
            contentTypeLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(HeaderLength, contentTypeLength)),
            Encoding.ASCII.GetString(span.Slice(HeaderLength + contentTypeLength, etagLength)),
            bytes[bodyStart..],
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[3..])),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[11..])))
        {
            CacheControl = cacheControlLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(cacheControlStart, cacheControlLength)),
            Headers = headersLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(headersStart, headersLength)),
        };
    }
}
