using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>
/// Builds the app's endpoints at start-up, so a cached endpoint declared wrongly (a handler that reads
/// the request without <c>varyByQuery</c>) stops the app then, not at its first request: minimal-API
/// endpoints, with their conventions and filter factories, are otherwise built lazily.
/// </summary>
internal sealed class CacheEndpointsCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<EndpointDataSource>()?.Endpoints;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
