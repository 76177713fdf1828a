using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CacheLayer.AspNetCore;

/// <summary>
/// A request header an endpoint's cached responses vary by, and how its value becomes part of the key.
/// A name alone (<c>varyByHeaders: ["X-Tenant"]</c>) keys by the trimmed value with ASCII letters in
/// lower case; <c>Accept-Language</c> is keyed by the app's supported UI culture it resolves to (none:
/// the default entry); <see cref="Header(string, Func{string, string?})"/> takes your own normalizer.
/// </summary>
public sealed class CacheVaryByHeader
{
    private readonly Func<HttpContext, string, string?> _normalize;
    private readonly bool _evenWithoutHeader;

    private CacheVaryByHeader(string name, Func<HttpContext, string, string?> normalize, bool evenWithoutHeader = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _normalize = normalize;
        _evenWithoutHeader = evenWithoutHeader;
    }

    /// <summary>The header's name, as sent in <c>Vary</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Varies by <paramref name="name"/>, keyed by what <paramref name="normalize"/> makes of its value:
    /// a short value from a finite set, or null for the default entry (shared with requests without the header).
    /// </summary>
    /// <param name="name">The request header.</param>
    /// <param name="normalize">Maps the header's value to the key's value, or to null.</param>
    public static CacheVaryByHeader Header(string name, Func<string, string?> normalize)
    {
        ArgumentNullException.ThrowIfNull(normalize);
        return new(name, (_, value) => normalize(value));
    }

    /// <summary>Varies by <paramref name="name"/> with the built-in normalization (see the type).</summary>
    /// <param name="name">The request header.</param>
    public static CacheVaryByHeader FromString(string name) =>
        string.Equals(name, HeaderNames.AcceptLanguage, StringComparison.OrdinalIgnoreCase)
            ? new(name, AcceptLanguageKey.Of, evenWithoutHeader: true) // the culture may come from elsewhere (?culture=)
            : new(name, static (_, value) => CacheKeyQueryNames.AsciiLower(value.Trim()));

    /// <summary>A header a handler parameter binds (<c>[FromHeader]</c>): keyed by its value in the parameter type's form, as sent otherwise.</summary>
    internal static CacheVaryByHeader Bound(string name, ValueCanonicalizer canonicalizer) =>
        new(name, (_, value) => canonicalizer.TryCanonicalize(value, out var canonical) ? canonical : null);

    /// <summary>Varies by the header <paramref name="name"/> with the built-in normalization.</summary>
    /// <param name="name">The request header.</param>
    public static implicit operator CacheVaryByHeader(string name) => FromString(name);

    /// <summary>The key value of this header in <paramref name="context"/>'s request, or null for the default entry.</summary>
    internal string? KeyValue(HttpContext context)
    {
        var value = context.Request.Headers[Name];
        var text = value.Count > 0 ? value.ToString() : "";
        return (text.Length > 0 || _evenWithoutHeader) && _normalize(context, text) is { Length: > 0 } key ? key : null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
