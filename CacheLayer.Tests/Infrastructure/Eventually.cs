namespace CacheLayer.Tests.Infrastructure;

/// <summary>Waits for something the API does in the background, checking often, failing after a generous timeout.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, int timeoutSeconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
