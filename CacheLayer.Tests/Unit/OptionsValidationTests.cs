using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Unit;

public class OptionsValidationTests
{
    [Theory]
    [InlineData("CacheLayer:OperationTimeout", "00:00:00")]
    [InlineData("CacheLayer:OperationTimeout", "00:05:00")]
    [InlineData("CacheLayer:TopKeysCapacity", "0")]
    [InlineData("Demo:Origin:LatencyMs", "-1")]
    [InlineData("CacheLayer:Grace", "-00:00:01")]
    [InlineData("CacheLayer:Grace", "2.00:00:00")]
    [InlineData("CacheLayer:StaleWhileRevalidate", "-00:00:01")]
    [InlineData("CacheLayer:OriginSoftTimeout", "02:00:00")]
    [InlineData("CacheLayer:OriginHardTimeout", "00:00:00")]
    [InlineData("CacheLayer:OriginHardTimeout", "-00:00:02")]
    [InlineData("CacheLayer:OriginFailureBackoff", "-00:00:01")]
    [InlineData("CacheLayer:EagerRefreshThreshold", "0")]
    [InlineData("CacheLayer:EagerRefreshThreshold", "1")]
    [InlineData("CacheLayer:AdminApiKey", "too-short-key")]
    [InlineData("CacheLayer:MaxConcurrentRefreshes", "0")]
    [InlineData("CacheLayer:Policies:users:Ttl", "00:00:00")]
    public void Invalid_settings_stop_the_api_at_start_up(string key, string value)
    {
        using var factory = new ApiFactory("127.0.0.1:1").WithWebHostBuilder(builder => builder.UseSetting(key, value));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains(key.Split(':')[^1], error.Message);
    }
}
