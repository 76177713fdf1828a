using System.Globalization;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7), read strictly: IMF-fixdate, and the obsolete RFC 850 and asctime forms; anything
/// else is invalid, which for <c>Expires</c> means already expired.
/// </summary>
internal static class HttpDate
{
    private static readonly string[] Formats =
    [
        "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",
        "ddd MMM  d HH:mm:ss yyyy",
        "ddd MMM dd HH:mm:ss yyyy",
    ];

    public static DateTimeOffset? Parse(string? value) =>
        value is not null && DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
}
