using System.Buffers.Binary;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// An entry as Redis holds it (layout v3): a marker byte, the number of generation tokens, the entry's grace in
/// milliseconds, when it stops being fresh (unix ms on Redis's clock, <see cref="RedisClock"/>), the tokens it was
/// stored under (path first, then its tags), then <see cref="CacheEntry"/>'s own bytes. One body per entry: the key
/// lives TTL + grace, and a lookup tells fresh from stale by the time written here against Redis's clock, so no
/// process's wall clock decides.
/// A hit checks the tokens before it decodes the rest.
/// </summary>
internal static class StoredEntry
{
    /// <summary>The first byte of every entry the layer writes: how an admin delete tells an entry from anything else.</summary>
    public const byte Marker = 0xC3;
    private const int MaxTokens = byte.MaxValue;
    private const int HeaderLength = 2 + 8 + 8;

    public static byte[] Write(CacheEntry entry, IReadOnlyList<long> tokens, TimeSpan grace, long freshUntil)
    {
        if (tokens.Count is 0 or > MaxTokens)
        {
            throw new ArgumentException($"Between 1 and {MaxTokens} generation tokens are needed.", nameof(tokens));
        }
        var body = entry.Serialize();
        var bytes = new byte[HeaderLength + (8 * tokens.Count) + body.Length];
        bytes[0] = Marker;
        bytes[1] = (byte)tokens.Count;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2), (long)grace.TotalMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(10), freshUntil);
        for (var i = 0; i < tokens.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(HeaderLength + (8 * i)), tokens[i]);
        }
        body.CopyTo(bytes.AsSpan(HeaderLength + (8 * tokens.Count)));
        return bytes;
    }

    /// <summary>The grace an entry was stored with; null for bytes this version did not write.</summary>
    public static TimeSpan? GraceOf(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= HeaderLength && bytes[0] == Marker
            ? TimeSpan.FromMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes[2..]))
            : null;

    /// <summary>When the entry stops being fresh, unix ms on Redis's clock; null for bytes this version did not write.</summary>
    public static long? FreshUntilOf(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= HeaderLength && bytes[0] == Marker ? BinaryPrimitives.ReadInt64LittleEndian(bytes[10..]) : null;

    /// <summary>
    /// The entry, if it was stored under exactly <paramref name="current"/> (null where a token is missing:
    /// a generation Redis no longer has proves nothing); else null, as for bytes this version did not write.
    /// </summary>
    public static CacheEntry? Read(ReadOnlyMemory<byte> bytes, ReadOnlySpan<long?> current)
    {
        var span = bytes.Span;
        if (span.Length < HeaderLength || span[0] != Marker || span[1] != current.Length || span.Length < HeaderLength + (8 * current.Length))
        {
            return null;
        }
        for (var i = 0; i < current.Length; i++)
        {
            if (current[i] is not { } token || BinaryPrimitives.ReadInt64LittleEndian(span[(HeaderLength + (8 * i))..]) != token)
            {
                return null;
            }
        }
        return CacheEntry.Deserialize(bytes[(HeaderLength + (8 * current.Length))..]);
    }
}
