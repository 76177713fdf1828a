using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore.Keys;

/// <summary>
/// <c>Accept-Language</c> as a key value: one of the app's supported UI cultures, so the key has as many
/// variants as the app has languages. The culture the request-localization middleware resolved wins;
/// without it, the header's language tags (by quality) are matched against
/// <see cref="RequestLocalizationOptions.SupportedUICultures"/>, exactly, then by parent culture. The
/// default culture, and a language the app does not support, give null: the default entry.
/// </summary>
internal static class AcceptLanguageKey
{
    public static string? Of(HttpContext context, string header)
    {
        var options = context.RequestServices?.GetService<IOptions<RequestLocalizationOptions>>()?.Value;
        var fallback = options?.DefaultRequestCulture.UICulture.Name;
        var resolved = context.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture.Name
            ?? Match(header, options?.SupportedUICultures);
        return resolved is null || resolved.Length == 0 || string.Equals(resolved, fallback, StringComparison.OrdinalIgnoreCase)
            ? null
            : CacheKeyQueryNames.AsciiLower(resolved);
    }

    /// <summary>The first supported culture name a tag of <paramref name="header"/> names or falls back to, best quality first.</summary>
    public static string? Match(string header, IList<CultureInfo>? supported)
    {
        if (supported is not { Count: > 0 } || string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        if (header.AsSpan().IndexOfAny(',', ';') < 0)
        {
            // One tag and no quality, the usual header: nothing to parse or sort (this runs on every hit).
            return MatchTag(new StringSegment(header).Trim(), supported);
        }
        if (!StringWithQualityHeaderValue.TryParseList([header], out var tags))
        {
            return null;
        }
        foreach (var tag in tags.Where(tag => tag.Quality is not 0).OrderByDescending(tag => tag.Quality ?? 1))
        {
            if (MatchTag(tag.Value, supported) is { } culture)
            {
                return culture;
            }
        }
        return null;
    }

    private static string? MatchTag(StringSegment tag, IList<CultureInfo> supported)
    {
        for (var name = tag; name.Length > 0; name = Parent(name))
        {
            for (var i = 0; i < supported.Count; i++)
            {
                if (name.Equals(supported[i].Name, StringComparison.OrdinalIgnoreCase))
                {
                    return supported[i].Name;
                }
            }
        }
        return null;
    }

    private static StringSegment Parent(StringSegment name) => name.LastIndexOf('-') is var dash and > 0 ? name.Subsegment(0, dash) : StringSegment.Empty;
}
