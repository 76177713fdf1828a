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

    private ResponseStartHook(IResponseStartWork work) => _work = work;

    /// <summary>Runs <paramref name="work"/> as <paramref name="context"/>'s response starts (only a miss needs one: hits allocate none).</summary>
    public static void Defer(HttpContext context, IResponseStartWork work) => context.Features.Set(new ResponseStartHook(work));

    private static Task StartingAsync(HttpContext context) =>
        context.Features.Get<ResponseStartHook>()?.Take()?.OnResponseStartingAsync() ?? Task.CompletedTask;

    private static void Abandon(HttpContext context) => context.Features.Get<ResponseStartHook>()?.Take()?.Abandon();

    private IResponseStartWork? Take() => Interlocked.Exchange(ref _work, null);

    /// <summary>Puts the hook first in the pipeline.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(following =>
            {
                // Only GET and HEAD are ever cached.
                return context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? WithHook(context, following)
                    : following(context);
            });
            next(app);
        };

        private static Task WithHook(HttpContext context, RequestDelegate following)
        {
            context.Response.OnStarting(static state => StartingAsync((HttpContext)state), context);
            Task pending;
            try
            {
                pending = following(context);
            }
            catch
            {
                Abandon(context);
                throw;
            }
            if (pending.IsCompletedSuccessfully)
            {
                AbandonIfAborted(context);
                return Task.CompletedTask;
            }
            return AwaitAsync(pending, context);
        }

        private static async Task AwaitAsync(Task pending, HttpContext context)
        {
            try
            {
                await pending;
            }
            catch
            {
                Abandon(context);
                throw;
            }
            AbandonIfAborted(context);
        }

        // A response not started yet is started by the server once this returns, unless the
        // client has gone: then the work would never run, so give it up now.
        private static void AbandonIfAborted(HttpContext context)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                Abandon(context);
            }
        }
    }
}
