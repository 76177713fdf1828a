using System.Buffers.Binary;
using System.Text;

namespace CacheLayer.Api.Caching;

/// <summary>
/// A stored response: status, content type and body bytes, with when it was stored and when it
/// expires. Serialized to one compact binary value so a hit is a single Redis GET.
/// </summary>
public sealed record CacheEntry(int StatusCode, string? ContentType, ReadOnlyMemory<byte> Body, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt)
{
    // version(1) status(2) storedAt(8) expiresAt(8) contentTypeLength(2) contentType body
    private const byte FormatVersion = 1;
    private const int HeaderLength = 1 + 2 + 8 + 8 + 2;

    public TimeSpan Age(DateTimeOffset now) => now > StoredAt ? now - StoredAt : TimeSpan.Zero;

    public TimeSpan TimeToLive(DateTimeOffset now) => ExpiresAt > now ? ExpiresAt - now : TimeSpan.Zero;

    public byte[] Serialize()
    {
        var contentType = Encoding.UTF8.GetBytes(ContentType ?? "");
        if (contentType.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("Content type is too long to cache.");
        }

        var bytes = new byte[HeaderLength + contentType.Length + Body.Length];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], checked((ushort)StatusCode));
        BinaryPrimitives.WriteInt64LittleEndian(span[3..], StoredAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[11..], ExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16LittleEndian(span[19..], (ushort)contentType.Length);
        contentType.CopyTo(span[HeaderLength..]);
        Body.Span.CopyTo(span[(HeaderLength + contentType.Length)..]);
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
        if (span.Length < HeaderLength + contentTypeLength)
        {
            return null;
        }

        var contentType = contentTypeLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(HeaderLength, contentTypeLength));
        return new CacheEntry(
            BinaryPrimitives.ReadUInt16LittleEndian(span[1..]),
            contentType,
            bytes[(HeaderLength + contentTypeLength)..],
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[3..])),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[11..])));
    }
}
