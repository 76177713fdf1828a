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
    public void Invalid_settings_stop_the_api_at_start_up(string key, string value)
    {
        using var factory = new ApiFactory("127.0.0.1:1").WithWebHostBuilder(builder => builder.UseSetting(key, value));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains(key.Split(':')[^1], error.Message);
    }
}
