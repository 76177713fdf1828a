namespace CacheLayer.Api.Origin;

/// <summary>Says once, at start, that without <c>ConnectionStrings:origin</c> the demo's data lives in this process only.</summary>
internal sealed class InMemoryOriginNotice(ILogger<InMemoryOriginNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "Demo origin: in process memory (ConnectionStrings:{Name} is not set). Single replica only: each API process has its own users and posts, and another replica would not see this one's writes.",
            OriginServiceCollectionExtensions.ConnectionName);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
