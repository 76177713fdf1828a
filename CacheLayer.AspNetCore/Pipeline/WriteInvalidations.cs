using CacheLayer.AspNetCore.Coherence;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// After a write succeeds (2xx), invalidates what it changed before its response is sent: as the response
/// starts (its status is final then), or when the endpoint returns without having started it (a client that
/// left). A read that starts after the write's response arrives sees the new data.
/// </summary>
internal sealed class WriteInvalidations(CacheInvalidator invalidator)
{
    public async Task RunAsync(HttpContext context, EndpointInvalidations invalidations, RequestDelegate next)
    {
        var write = new PendingWrite(this, context, invalidations);
        context.Response.OnStarting(static state => ((PendingWrite)state).InvalidateOnceAsync(), write);
        await next(context);
        await write.InvalidateOnceAsync();
    }

    private async Task InvalidateAsync(HttpContext context, EndpointInvalidations invalidations)
    {
        if (context.Response.StatusCode is < 200 or >= 300)
        {
            return;
        }
        foreach (var invalidation in invalidations.For(context))
        {
            await invalidator.InvalidateAsync(invalidations.Route, invalidation);
        }
    }

    private sealed class PendingWrite(WriteInvalidations owner, HttpContext context, EndpointInvalidations invalidations)
    {
        private int _done;

        public Task InvalidateOnceAsync() =>
            Interlocked.Exchange(ref _done, 1) == 0 ? owner.InvalidateAsync(context, invalidations) : Task.CompletedTask;
    }
}
