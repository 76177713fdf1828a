using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Unit;

/// <summary>The test helper that reads <c>/metrics</c>: exact names, label sets and values.</summary>
public class PrometheusSamplesTests
{
    private const string Exposition =
        "# HELP cachelayer_cache_hits_total Requests answered from the cache.\n" +
        "# TYPE cachelayer_cache_hits_total counter\n" +
        "cachelayer_cache_hits_total{otel_scope_name=\"CacheLayer.Cache\",cachelayer_tier=\"memory\",http_route=\"/api/posts/\"} 12 1700000000000\n" +
        "cachelayer_cache_hits_total{otel_scope_name=\"CacheLayer.Cache\",cachelayer_tier=\"redis\",http_route=\"/api/posts/\"} 2\n" +
        "cachelayer_cache_hits_total{otel_scope_name=\"CacheLayer.Cache\",cachelayer_tier=\"redis\",http_route=\"/api/users/{id}\"} 1\r\n" +
        "\n" +
        "odd_total{path=\"a \\\"quoted\\\", comma} and \\\\ back\\nslash\",x=\"1\"} 3.5e1\n" +
        "up 1\n" +
        "latency_bucket{le=\"+Inf\"} +Inf\n";

    private static PrometheusSamples Samples => PrometheusSamples.Parse(Exposition);

    [Fact]
    public void Comment_and_blank_lines_are_skipped_and_every_sample_is_read()
    {
        Assert.Equal(6, Samples.All.Count);
        Assert.Equal(["cachelayer_cache_hits_total", "cachelayer_cache_hits_total", "cachelayer_cache_hits_total", "odd_total", "up", "latency_bucket"],
            Samples.All.Select(sample => sample.Name));
    }

    [Fact]
    public void A_value_is_found_only_by_its_exact_label_set()
    {
        Assert.Equal(2, Samples.Value("cachelayer_cache_hits_total", PrometheusSamples.CacheScope, ("cachelayer_tier", "redis"), ("http_route", "/api/posts/")));
        Assert.Equal(12, Samples.Value("cachelayer_cache_hits_total", PrometheusSamples.CacheScope, ("cachelayer_tier", "memory"), ("http_route", "/api/posts/")));
        // A subset of the labels, or a different value, is not the sample.
        Assert.Null(Samples.Value("cachelayer_cache_hits_total", PrometheusSamples.CacheScope, ("http_route", "/api/posts/")));
        Assert.Null(Samples.Value("cachelayer_cache_hits_total", PrometheusSamples.CacheScope, ("cachelayer_tier", "redis"), ("http_route", "/api/posts")));
        Assert.Null(Samples.Value("cachelayer_cache_hits", PrometheusSamples.CacheScope, ("cachelayer_tier", "redis"), ("http_route", "/api/posts/")));
        Assert.Equal(1, Samples.Value("up"));
        Assert.Equal(2, Samples.Matching("cachelayer_cache_hits_total", ("http_route", "/api/posts/")).Count);
    }

    [Fact]
    public void Escaped_quotes_commas_backslashes_and_newlines_in_label_values_are_read()
    {
        var odd = Assert.Single(Samples.Named("odd_total"));

        Assert.Equal("a \"quoted\", comma} and \\ back\nslash", odd.Labels["path"]);
        Assert.Equal("1", odd.Labels["x"]);
        Assert.Equal(35, odd.Value);
        Assert.Equal(double.PositiveInfinity, Samples.Single("latency_bucket", ("le", "+Inf")));
    }

    [Fact]
    public void A_missing_sample_fails_naming_the_samples_there_are()
    {
        var failure = Assert.ThrowsAny<Exception>(() => Samples.Single("cachelayer_cache_hits_total", ("http_route", "/nope")));

        Assert.Contains("cachelayer_tier=\"memory\"", failure.Message);
    }

    [Theory]
    [InlineData("name{a=\"1\" 2")]
    [InlineData("name{a=\"1} 2")]
    [InlineData("name{a=1} 2")]
    [InlineData("name{a=\"\\x\"} 2")]
    [InlineData("name{a=\"1\",a=\"2\"} 2")]
    [InlineData("name{a=\"1\"}")]
    [InlineData("name{a=\"1\"} two")]
    public void A_malformed_line_is_an_error_not_a_silent_skip(string line)
    {
        Assert.Throws<FormatException>(() => PrometheusSamples.Parse("# TYPE name counter\n" + line + "\n"));
    }
}
