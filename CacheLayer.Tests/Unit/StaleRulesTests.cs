using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.Tests.Unit;

/// <summary>How an endpoint's stale settings combine with the global ones, and how a stale answer is labelled.</summary>
public class StaleRulesTests
{
    private static readonly CacheLayerOptions Defaults = new();

    [Fact]
    public void An_endpoint_without_settings_of_its_own_takes_the_global_ones()
    {
        var rules = StaleRules.Of(Policy(), Defaults);

        Assert.Equal(new StaleRules(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)), rules);
        Assert.True(rules.KeepsCopies);
    }

    [Fact]
    public void An_endpoints_own_settings_win_and_grace_zero_keeps_no_copy()
    {
        var rules = StaleRules.Of(Policy(new StaleOverrides(TimeSpan.Zero, TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(1))), Defaults);

        Assert.False(rules.KeepsCopies);
        Assert.Equal(TimeSpan.FromSeconds(1), rules.OriginHardTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), rules.OriginSoftTimeout);
    }

    [Fact]
    public void The_revalidate_window_never_outlasts_the_grace_and_a_soft_timeout_never_outlasts_the_hard_one()
    {
        var rules = StaleRules.Of(Policy(new StaleOverrides(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(2))), Defaults);

        Assert.Equal(TimeSpan.FromSeconds(10), rules.StaleWhileRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(2), rules.OriginSoftTimeout);
    }

    [Fact]
    public void An_infinite_hard_timeout_keeps_the_soft_one()
    {
        var rules = StaleRules.Of(Policy(new StaleOverrides(null, null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan)), Defaults);

        Assert.Equal(TimeSpan.FromSeconds(3), rules.OriginSoftTimeout);
    }

    [Theory]
    [InlineData(300, "WhileRevalidate", null, true, "CacheLayer; hit; ttl=-1; detail=stale-while-revalidate")]
    [InlineData(12_000, "OriginStatus", 503, true, "CacheLayer; hit; ttl=-12; fwd=stale; fwd-status=503; detail=stale-if-error")]
    [InlineData(12_000, "OriginError", null, true, "CacheLayer; hit; ttl=-12; fwd=stale; detail=stale-if-error")]
    [InlineData(40_500, "SoftTimeout", null, true, "CacheLayer; hit; ttl=-41; fwd=stale; detail=soft-timeout")]
    [InlineData(2_000, "OriginStatus", 503, false, "CacheLayer; hit; ttl=-2; detail=stale-if-error")]
    public void A_stale_answer_says_how_stale_and_why(int msPastExpiry, string reasonName, int? status, bool forwarded, string expected)
    {
        var reason = Enum.Parse<StaleReason>(reasonName);
        var stored = DateTimeOffset.UnixEpoch.AddYears(56);
        var entry = new CacheEntry(200, "application/json", "\"e\"", new byte[] { 1 }, stored, stored.AddSeconds(60));
        var response = new DefaultHttpContext().Response;

        CacheHeaders.Stale(response, entry, entry.ExpiresAt.AddMilliseconds(msPastExpiry), reason, status, forwarded);

        Assert.Equal(expected, response.Headers["Cache-Status"].ToString());
        Assert.Equal("STALE", response.Headers["X-Cache"].ToString());
        Assert.Equal(((60_000 + msPastExpiry) / 1000).ToString(), response.Headers.Age.ToString());
    }

    private static CachePolicy Policy(StaleOverrides? stale = null) => new(TimeSpan.FromSeconds(60), [], [], false, null, stale);
}
