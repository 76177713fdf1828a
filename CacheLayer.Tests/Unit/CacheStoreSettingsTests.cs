extern alias apphost;

using apphost::CacheLayer.AppHost;

namespace CacheLayer.Tests.Unit;

/// <summary>The AppHost's <c>CacheStore</c> and <c>CacheStoreMaxMemory</c> settings.</summary>
public class CacheStoreSettingsTests
{
    [Theory]
    [InlineData(null, 256L << 20)]
    [InlineData("", 256L << 20)]
    [InlineData("256mb", 256L << 20)]
    [InlineData("64M", 64L << 20)]
    [InlineData("2gb", 2L << 30)]
    [InlineData("4096 kb", 4L << 20)]
    [InlineData("1048576", 1L << 20)]
    public void A_memory_limit_is_read_in_binary_units(string? value, long bytes) =>
        Assert.Equal(bytes, CacheStoreMemoryLimit.Parse(value).Bytes);

    [Theory]
    [InlineData("lots")]
    [InlineData("-1mb")]
    [InlineData("512kb")]
    [InlineData("1tb")]
    [InlineData("99999999999999999999")]
    public void A_memory_limit_that_is_not_a_size_of_at_least_1mb_stops_the_apphost_naming_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => CacheStoreMemoryLimit.Parse(value));

        Assert.Contains($"CacheStoreMaxMemory='{value}'", error.Message);
    }

    [Fact]
    public void Redis_cluster_is_a_cache_store_mode()
    {
        Assert.Equal(CacheStoreMode.RedisCluster, CacheStoreSelection.Parse(" Redis-Cluster "));
        var error = Assert.Throws<InvalidOperationException>(() => CacheStoreSelection.Parse("cluster"));
        Assert.Contains("redis-cluster", error.Message);
    }
}
