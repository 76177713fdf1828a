using Microsoft.Extensions.Primitives;

namespace CacheLayer.AspNetCore.Http;

/// <summary>One byte range of a <c>Range</c> request (RFC 9110 §14.1.2): <c>bytes=first-last</c>, <c>bytes=first-</c> or <c>bytes=-suffix</c>.</summary>
internal readonly record struct ByteRange(long? First, long? Last)
{
    /// <summary>The single byte range asked for; null for none, several, or one that does not parse.</summary>
    public static ByteRange? Parse(StringValues header)
    {
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || value.Contains(','))
        {
            return null;
        }
        var spec = value[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }
        long? first = dash == 0 ? null : long.TryParse(spec[..dash], out var start) && start >= 0 ? start : -1;
        long? last = dash == spec.Length - 1 ? null : long.TryParse(spec[(dash + 1)..], out var end) && end >= 0 ? end : -1;
        if (first == -1 || last == -1 || (first is null && last is null) || (first is { } a && last is { } b && b < a))
        {
            return null;
        }
        return new ByteRange(first, last);
    }

    /// <summary>The offset and length within a body of <paramref name="length"/> bytes; null when unsatisfiable.</summary>
    public (long Offset, long Count)? Within(long length)
    {
        if (First is { } first)
        {
            if (first >= length)
            {
                return null;
            }
            var last = Math.Min(Last ?? length - 1, length - 1);
            return (first, last - first + 1);
        }
        var suffix = Math.Min(Last!.Value, length);
        return suffix == 0 ? null : (length - suffix, suffix);
    }
}
