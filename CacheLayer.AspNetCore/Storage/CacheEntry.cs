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
    // version(1) status(2) storedAt(8) expiresAt(8) contentTypeLength(2) etagLength(1) cacheControlLength(2)
    // contentType etag cacheControl body
    private const byte FormatVersion = 3;
    private const int HeaderLength = 1 + 2 + 8 + 8 + 2 + 1 + 2;

    /// <summary>The <c>Cache-Control</c> the handler set, kept on hits; null when it set none.</summary>
    public string? CacheControl { get; init; }

    public TimeSpan Age(DateTimeOffset now) => now > StoredAt ? now - StoredAt : TimeSpan.Zero;

    public TimeSpan TimeToLive(DateTimeOffset now) => ExpiresAt > now ? ExpiresAt - now : TimeSpan.Zero;

    public byte[] Serialize()
    {
        var contentType = Encoding.UTF8.GetBytes(ContentType ?? "");
        var etag = Encoding.ASCII.GetBytes(ETag);
        var cacheControl = Encoding.UTF8.GetBytes(CacheControl ?? "");
        if (contentType.Length > ushort.MaxValue || etag.Length > byte.MaxValue || cacheControl.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("Content type, entity tag or Cache-Control is too long to cache.");
        }

        var bytes = new byte[HeaderLength + contentType.Length + etag.Length + cacheControl.Length + Body.Length];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], checked((ushort)StatusCode));
        BinaryPrimitives.WriteInt64LittleEndian(span[3..], StoredAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[11..], ExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16LittleEndian(span[19..], (ushort)contentType.Length);
        span[21] = (byte)etag.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)cacheControl.Length);
        contentType.CopyTo(span[HeaderLength..]);
        etag.CopyTo(span[(HeaderLength + contentType.Length)..]);
        cacheControl.CopyTo(span[(HeaderLength + contentType.Length + etag.Length)..]);
        Body.Span.CopyTo(span[(HeaderLength + contentType.Length + etag.Length + cacheControl.Length)..]);
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
        var cacheControlStart = HeaderLength + contentTypeLength + etagLength;
        var bodyStart = cacheControlStart + cacheControlLength;
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
        };
    }
}
