using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace CacheLayer.Tests.Unit;

public class CacheKeyQueryTests
{
    private static IQueryCollection Query(string text) => new QueryCollection(QueryHelpers.ParseQuery(text));

    [Theory]
    [InlineData("", "")]
    [InlineData("?nocache=true", "")]
    [InlineData("?page=2", "page=2")]
    [InlineData("?b=1&a=2", "a=2&b=1")]
    [InlineData("?Page=2", "page=2")]
    [InlineData("?page=2&nocache=false", "page=2")]
    [InlineData("?tag=b&tag=a", "tag=b&tag=a")]
    [InlineData("?q=a%26b%3Dc", "q=a%26b%3Dc")]
    [InlineData("?q=caf%C3%A9", "q=caf%C3%A9")]
    public void Query_becomes_a_canonical_key_part(string query, string expected)
    {
        Assert.Equal(expected, CacheKeyQuery.From(Query(query)));
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
