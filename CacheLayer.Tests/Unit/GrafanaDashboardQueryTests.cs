using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Unit;

/// <summary>How the dashboard test reads metric and label names off PromQL.</summary>
public sealed class GrafanaDashboardQueryTests
{
    private const string Ratio =
        "sum by (http_route, cachelayer_tier) (rate(cachelayer_cache_hits_total{job=~\"$job\"}[$__rate_interval]))"
        + " / on (http_route) group_left () (sum by (http_route) (rate(cachelayer_cache_misses_total[5m])) or 0 * up)";

    [Fact]
    public void Metrics_are_the_selectors_not_functions_labels_keywords_or_numbers()
    {
        Assert.Equal(["cachelayer_cache_hits_total", "cachelayer_cache_misses_total", "up"], GrafanaDashboard.Metrics(Ratio));
        Assert.Equal(["cachelayer_cache_operation_duration_seconds_bucket"],
            GrafanaDashboard.Metrics("histogram_quantile(0.99, sum by (le) (rate(cachelayer_cache_operation_duration_seconds_bucket[1m])))"));
    }

    [Fact]
    public void Labels_are_those_matched_on_and_grouped_by()
    {
        Assert.Equal(["job", "http_route", "cachelayer_tier", "http_route", "http_route"], GrafanaDashboard.Labels(Ratio));
    }
}
