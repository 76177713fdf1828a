using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace CacheLayer.Tests.Unit;

public class CacheKeyQueryTests
{
    private static IQueryCollection Query(string text) => new QueryCollection(QueryHelpers.ParseQuery(text));

    private static readonly CacheKeyQueryNames Bound = CacheKeyQueryNames.Of(["page", "pageSize", "kind"], ["tag", "q", "b", "a"]);

    private static readonly CacheKeyQueryNames All = CacheKeyQueryNames.Of([], ["*"]);

    [Theory]
    [InlineData("", "")]
    [InlineData("?nocache=true", "")]
    [InlineData("?page=2", "page=2")]
    [InlineData("?b=1&a=2", "a=2&b=1")]
    [InlineData("?Page=2", "page=2")]
    [InlineData("?PAGESIZE=5&page=2", "page=2&pagesize=5")]
    [InlineData("?page=2&nocache=false", "page=2")]
    [InlineData("?tag=b&tag=a", "tag=b&tag=a")]
    [InlineData("?tag=b&TAG=a", "tag=b&tag=a")]
    [InlineData("?q=a%26b%3Dc", "q=a%26b%3Dc")]
    [InlineData("?q=caf%C3%A9", "q=caf%C3%A9")]
    [InlineData("?utm_source=x", "")]
    [InlineData("?page=2&utm_source=x&fbclid=y", "page=2")]
    [InlineData("?KIND=x", "kind=x")]
    [InlineData("?%E2%84%AAind=x", "")] // the Kelvin sign: binding does not read it as kind, so neither does the key
    public void Only_bound_and_declared_parameters_make_the_query_part(string query, string expected)
    {
        Assert.Equal(expected, CacheKeyQuery.From(Query(query), Bound));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("?nocache=true", "")]
    [InlineData("?b=1&a=2", "a=2&b=1")]
    [InlineData("?Page=2&utm_source=x", "page=2&utm_source=x")]
    [InlineData("?tag=b&tag=a", "tag=b&tag=a")]
    [InlineData("?KIND=x", "kind=x")]
    [InlineData("?%E2%84%AAind=x", "%E2%84%AAind=x")] // never ToLowerInvariant: that would make it kind=x
    public void A_wildcard_keys_every_parameter_lower_casing_only_ascii_letters(string query, string expected)
    {
        Assert.Equal(expected, CacheKeyQuery.From(Query(query), All));
    }

    [Fact]
    public void Nothing_bound_nothing_declared_means_no_query_part()
    {
        Assert.Equal("", CacheKeyQuery.From(Query("?page=2&x=1"), CacheKeyQueryNames.Of([], null)));
        Assert.Same(CacheKeyQueryNames.None, CacheKeyQueryNames.Of(["nocache"], []));
    }

    [Theory]
    [InlineData("?nocache=true", true)]
    [InlineData("?NoCache=TRUE", true)]
    [InlineData("?nocache=false", false)]
    [InlineData("?nocache=yes", false)]
    [InlineData("?page=1", false)]
    public void Only_nocache_true_bypasses(string query, bool bypass)
    {
        Assert.Equal(bypass, CacheKeyQuery.IsBypass(Query(query)));
    }

    [Fact]
    public void A_key_joins_path_and_query()
    {
        Assert.Equal("GET:/api/posts/?page=2", new CacheKey("GET:/api/posts/", "page=2").Value);
        Assert.Equal("GET:/api/posts/", new CacheKey("GET:/api/posts/", "").Value);
    }
}
