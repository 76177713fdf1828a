using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Tests.Unit;

public class AcceptLanguageKeyTests
{
    private static readonly IList<CultureInfo> Supported = [new("en"), new("fr"), new("de-CH")];

    [Theory]
    [InlineData("fr", "fr")]
    [InlineData("FR", "fr")]
    [InlineData("fr-FR,fr;q=0.9", "fr")]
    [InlineData("fr-CA", "fr")]
    [InlineData("ja, fr;q=0.5", "fr")]
    [InlineData("fr;q=0.4, en;q=0.8", "en")]
    [InlineData("de-CH", "de-CH")]
    [InlineData("de", null)]
    [InlineData("ja", null)]
    [InlineData("fr;q=0", null)]
    [InlineData("", null)]
    public void A_header_matches_a_supported_culture_exactly_then_by_parent(string header, string? expected)
    {
        Assert.Equal(expected, AcceptLanguageKey.Match(header, Supported));
    }

    [Fact]
    public void A_custom_normalizer_keys_by_its_result_and_null_is_the_default_entry()
    {
        var header = CacheVaryByHeader.Header("X-Plan", value => value.Trim() is "gold" or "silver" ? value.Trim() : null);
        var context = new DefaultHttpContext();

        context.Request.Headers["X-Plan"] = " gold ";
        Assert.Equal("gold", header.KeyValue(context));
        context.Request.Headers["X-Plan"] = "anything else";
        Assert.Null(header.KeyValue(context));
    }

    [Fact]
    public void A_header_without_normalizer_is_keyed_by_its_trimmed_ascii_lower_case_value()
    {
        CacheVaryByHeader header = "X-Tenant";
        var context = new DefaultHttpContext();

        context.Request.Headers["X-Tenant"] = "  Contoso ";
        Assert.Equal("contoso", header.KeyValue(context));
        context.Request.Headers["X-Tenant"] = "\u212Aelvin";
        Assert.Equal("\u212Aelvin", header.KeyValue(context));
    }
}
