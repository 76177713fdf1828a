using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>Stands for middleware that sets a cookie: requests with <c>X-Test-Set-Cookie</c> get one.</summary>
public sealed class SetCookieStartupFilter : IStartupFilter
{
    public const string TriggerHeader = "X-Test-Set-Cookie";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers.ContainsKey(TriggerHeader))
            {
                context.Response.Headers.SetCookie = "session=abc; HttpOnly";
            }
            return following(context);
        });
        next(app);
    };
}
