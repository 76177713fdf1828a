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

    /// <summary>Asks <paramref name="probe"/> until it gives a value; fails when <paramref name="timeout"/> passes or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task<T> ValueAsync<T>(Func<CancellationToken, Task<T?>> probe, TimeSpan timeout, CancellationToken cancellationToken = default)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (await probe(deadline.Token) is { } value)
            {
                return value;
            }
            await Task.Delay(10, deadline.Token);
        }
    }

    /// <summary>GETs <paramref name="path"/> until the answer is what <paramref name="done"/> wants, and returns that answer.</summary>
    public static Task<HttpResponseMessage> ResponseAsync(
        HttpClient client, string path, Func<HttpResponseMessage, bool> done, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ValueAsync(async token =>
        {
            var response = await client.GetAsync(path, token);
            if (done(response))
            {
                return response;
            }
            response.Dispose();
            return null;
        }, timeout, cancellationToken);

    public static Task TrueAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ValueAsync<object>(async token => await condition(token) ? true : null, timeout, cancellationToken);
}
