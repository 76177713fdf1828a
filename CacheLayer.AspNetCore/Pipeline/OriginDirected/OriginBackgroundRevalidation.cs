using System.Collections.Concurrent;
using CacheLayer.AspNetCore.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline.OriginDirected;

/// <summary>
/// RFC 5861 §3: a response served stale within its <c>stale-while-revalidate</c> window is validated in the
/// background, once per key at a time and at most <see cref="CacheLayerOptions.MaxConcurrentRefreshes"/> at once,
/// on a request of its own (a copy of the client's: path, query and headers, without its conditions) that runs
/// the rest of the pipeline, the proxy, after the client has its answer.
/// </summary>
internal sealed partial class OriginBackgroundRevalidation(
    OriginRevalidation revalidation, OriginEntries entries, IOptions<CacheLayerOptions> options, ILogger<OriginBackgroundRevalidation> logger)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);
    private readonly int _max = options.Value.MaxConcurrentRefreshes;

    public void Start(OriginRequest request, CacheEntry entry, StoredHttpResponse stored, CacheGenerations? generations)
    {
        if (_running.Count >= _max || !_running.TryAdd(request.Key.Value, 0))
        {
            return;
        }
        var scope = request.Http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var deadline = new CancellationTokenSource(Deadline);
        var detached = Detach(request.Http, scope.ServiceProvider, deadline.Token);
        var copy = request with { Http = detached };
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    var known = generations ?? await entries.ReadGenerationsAsync(copy.Route, copy.Key);
                    await revalidation.RefreshAsync(copy, entry, stored, known);
                }
                catch (Exception exception)
                {
                    LogFailed(logger, copy.Key.Value, exception.Message);
                }
                finally
                {
                    _running.TryRemove(copy.Key.Value, out _);
                    deadline.Dispose();
                    await scope.DisposeAsync();
                }
            });
        }
    }

    private static DefaultHttpContext Detach(HttpContext source, IServiceProvider services, CancellationToken aborted)
    {
        var context = new DefaultHttpContext();
        DetachedRefresh.CopyAsFullGet(source, context);
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new NoBody());
        context.RequestServices = services;
        context.RequestAborted = aborted;
        return context;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Background revalidation of {Key} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string key, string reason);

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => false;
    }
}
