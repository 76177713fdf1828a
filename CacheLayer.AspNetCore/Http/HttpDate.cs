using System.Globalization;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7), read strictly in its layout: IMF-fixdate, and the obsolete RFC 850 (a two-digit
/// year more than 50 years ahead is the last century's) and asctime forms. The day name is not checked against the
/// date and <c>GMT</c> is read in any case; any other deviation is invalid, which for <c>Expires</c> means already expired.
/// </summary>
internal static class HttpDate
{
    public static DateTimeOffset? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (value.EndsWith("GMT", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^3] + "GMT";
        }
        var comma = value.IndexOf(',');
        if (comma is 3 && Exact(value[5..], "dd MMM yyyy HH:mm:ss 'GMT'", value[4] == ' ') is { } fixdate)
        {
            return fixdate;
        }
        if (comma > 5 && value.Length > comma + 2 && Exact(value[(comma + 2)..], "dd-MMM-yy HH:mm:ss 'GMT'", value[comma + 1] == ' ') is { } rfc850)
        {
            return rfc850.Year > DateTimeOffset.UtcNow.Year + 50 ? rfc850.AddYears(-100) : rfc850;
        }
        if (comma < 0 && value.Length > 4 && value[3] == ' ')
        {
            return Exact(value[4..], "MMM  d HH:mm:ss yyyy", true) ?? Exact(value[4..], "MMM dd HH:mm:ss yyyy", true);
        }
        return null;
    }

    // Two-digit years read as 20yy; the caller moves one too far ahead back a century.
    private static readonly CultureInfo Culture = TwoDigitYearsIn2000s();

    private static CultureInfo TwoDigitYearsIn2000s()
    {
        var calendar = (Calendar)CultureInfo.InvariantCulture.Calendar.Clone();
        calendar.TwoDigitYearMax = 2099;
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar = calendar;
        return CultureInfo.ReadOnly(culture);
    }

    private static DateTimeOffset? Exact(string value, string format, bool separated)
    {
        return separated && DateTimeOffset.TryParseExact(value, format, Culture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
    }
}
