using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CacheLayer.AspNetCore.Http;

/// <summary>
/// Work a miss leaves for the moment its response starts: deciding whether it may be stored and
/// shared, storing it, and answering collapsed waiters.
/// </summary>
internal interface IResponseStartWork
{
    /// <summary>Runs once every other <c>OnStarting</c> callback has run: the headers are final.</summary>
    Task OnResponseStartingAsync();

    /// <summary>The response never started (the request was aborted).</summary>
    void Abandon();
}

/// <summary>
/// A request feature that runs a miss's <see cref="IResponseStartWork"/> after every other
/// <c>OnStarting</c> callback, so a cookie that session or cookie-authentication middleware adds as
/// the response starts is seen before anything is stored. <c>OnStarting</c> callbacks run last
/// registered first, so the hook registers its own at the very start of the pipeline.
/// </summary>
internal sealed class ResponseStartHook
{
    private IResponseStartWork? _work;

    public void Defer(IResponseStartWork work) => _work = work;

    private Task StartingAsync() => Interlocked.Exchange(ref _work, null)?.OnResponseStartingAsync() ?? Task.CompletedTask;

    private void Abandon() => Interlocked.Exchange(ref _work, null)?.Abandon();

    /// <summary>Puts the hook first in the pipeline.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(following =>
            {
                // Only GET and HEAD are ever cached.
                return context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? WithHookAsync(context, following)
                    : following(context);
            });
            next(app);
        };

        private static async Task WithHookAsync(HttpContext context, RequestDelegate following)
        {
            var hook = new ResponseStartHook();
            context.Features.Set(hook);
            context.Response.OnStarting(static state => ((ResponseStartHook)state).StartingAsync(), hook);
            try
            {
                await following(context);
            }
            catch
            {
                hook.Abandon();
                throw;
            }
            // A response not started yet is started by the server once this returns, unless the
            // client has gone: then the work would never run, so give it up now.
            if (context.RequestAborted.IsCancellationRequested)
            {
                hook.Abandon();
            }
        }
    }
}
