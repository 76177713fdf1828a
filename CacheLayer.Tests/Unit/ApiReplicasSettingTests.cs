extern alias apphost;

using apphost::CacheLayer.AppHost;

namespace CacheLayer.Tests.Unit;

/// <summary>The AppHost's <c>ApiReplicas</c> setting.</summary>
public class ApiReplicasSettingTests
{
    [Theory]
    [InlineData(null, 2)]
    [InlineData("", 2)]
    [InlineData("1", 1)]
    [InlineData(" 3 ", 3)]
    [InlineData("16", 16)]
    public void The_replica_count_defaults_to_two(string? value, int replicas) =>
        Assert.Equal(replicas, ApiReplicaCount.Parse(value));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("17")]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void A_replica_count_outside_1_to_16_stops_the_apphost_naming_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ApiReplicaCount.Parse(value));

        Assert.Contains($"ApiReplicas='{value}'", error.Message);
        Assert.Contains("from 1 to 16", error.Message);
    }
}
