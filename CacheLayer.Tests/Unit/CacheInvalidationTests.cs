
namespace CacheLayer.Tests.Unit;

public class CacheInvalidationTests
{
    private static readonly CacheKey Variant = new("GET:/api/posts/", "page=2", "accept-language=fr");

    [Fact]
    public void A_key_joins_path_query_and_variant()
    {
        Assert.Equal("GET:/api/posts/?page=2|accept-language=fr", Variant.Value);
        Assert.Equal("GET:/api/posts/|accept-language=fr", new CacheKey("GET:/api/posts/", "", "accept-language=fr").Value);
        Assert.Equal("GET:/api/posts/", CacheKey.PathOf(Variant.Value));
    }

    [Theory]
    [InlineData("Path", "GET:/api/posts/", true)]
    [InlineData("Path", "GET:/api/posts", false)]
    [InlineData("Prefix", "GET:/api/posts/?page=", true)]
    [InlineData("Prefix", "GET:/api/users/", false)]
    [InlineData("Key", "GET:/api/posts/?page=2|accept-language=fr", true)]
    [InlineData("Key", "GET:/api/posts/?page=2", false)]
    [InlineData("All", "", true)]
    public void Covers_the_keys_it_names(string kind, string value, bool covered)
    {
        Assert.Equal(covered, new CacheInvalidation(Enum.Parse<CacheInvalidationKind>(kind), value).Covers(Variant));
    }

    [Theory]
    [InlineData("Path", "GET:/api/users/1")]
    [InlineData("Tag", "posts")]
    [InlineData("Prefix", "GET:/api/users/\nodd")]
    [InlineData("All", "")]
    public void Survives_the_trip_to_other_processes(string kind, string value)
    {
        var invalidation = new CacheInvalidation(Enum.Parse<CacheInvalidationKind>(kind), value);

        Assert.Equal(invalidation, CacheInvalidation.Deserialize(invalidation.Serialize()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Nonsense\nx")]
    [InlineData("Path")]
    public void Ignores_messages_it_did_not_write(string? message)
    {
        Assert.Null(CacheInvalidation.Deserialize(message));
    }
}
