using System.Buffers.Binary;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// An entry as Redis holds it: a marker byte, the generation tokens it was stored under (path first, then
/// its tags), then <see cref="CacheEntry"/>'s own bytes. A hit checks the tokens before it decodes the rest.
/// </summary>
internal static class StoredEntry
{
    private const byte Marker = 0xC2;
    private const int MaxTokens = byte.MaxValue;

    public static byte[] Write(CacheEntry entry, IReadOnlyList<long> tokens)
    {
        if (tokens.Count is 0 or > MaxTokens)
        {
            throw new ArgumentException($"Between 1 and {MaxTokens} generation tokens are needed.", nameof(tokens));
        }
        var body = entry.Serialize();
        var bytes = new byte[2 + (8 * tokens.Count) + body.Length];
        bytes[0] = Marker;
        bytes[1] = (byte)tokens.Count;
        for (var i = 0; i < tokens.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2 + (8 * i)), tokens[i]);
        }
        body.CopyTo(bytes.AsSpan(2 + (8 * tokens.Count)));
        return bytes;
    }

    /// <summary>
    /// The entry, if it was stored under exactly <paramref name="current"/> (null where a token is missing:
    /// a generation Redis no longer has proves nothing); else null, as for bytes this version did not write.
    /// </summary>
    public static CacheEntry? Read(ReadOnlyMemory<byte> bytes, ReadOnlySpan<long?> current)
    {
        var span = bytes.Span;
        if (span.Length < 2 || span[0] != Marker || span[1] != current.Length || span.Length < 2 + (8 * current.Length))
        {
            return null;
        }
        for (var i = 0; i < current.Length; i++)
        {
            if (current[i] is not { } token || BinaryPrimitives.ReadInt64LittleEndian(span[(2 + (8 * i))..]) != token)
            {
                return null;
            }
        }
        return CacheEntry.Deserialize(bytes[(2 + (8 * current.Length))..]);
    }
}
