using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Unit;

public class OptionsValidationTests
{
    [Theory]
    [InlineData("CacheLayer:OperationTimeout", "00:00:00")]
    [InlineData("CacheLayer:OperationTimeout", "00:05:00")]
    [InlineData("CacheLayer:ReplicaAckTimeout", "-00:00:01")]
    [InlineData("CacheLayer:ReplicaAckTimeout", "00:01:00")]
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
        var error = Assert.IsType<OptionsValidationException>(StartFailure(key, value));
        Assert.Contains(key.Split(':')[^1], error.Message);
    }

    /// <summary>
    /// Why the API did not start. The test factory runs a minimal host's entry point on a thread of its own
    /// (dotnet/aspnetcore#38335): on a loaded machine the host it failed to start can be disposed before the
    /// factory reads it, which surfaces as the factory's ObjectDisposedException instead of the host's error.
    /// That race alone is tried again, on a new factory; any other outcome is returned as it is.
    /// </summary>
    private static Exception? StartFailure(string key, string value)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var factory = new ApiFactory("127.0.0.1:1").WithWebHostBuilder(builder => builder.UseSetting(key, value));
            var failure = Record.Exception(() => factory.CreateClient());
            if (failure is not ObjectDisposedException || attempt == 3)
            {
                return failure;
            }
        }
    }
}
