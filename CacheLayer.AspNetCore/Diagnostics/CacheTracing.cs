using System.Diagnostics;

namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// The <c>CacheLayer.Cache</c> activity source: one client span per cache store call, a child of the
/// request that made it. Work with no recorded parent (the janitor, the recovery probe, a detached refresh,
/// a call from a health check the host does not trace) starts none, so it never shows as a trace of its own.
/// </summary>
internal static class CacheTracing
{
    public const string SourceName = "CacheLayer.Cache";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span for one store call, or null when nobody listens or the caller is not itself recorded.</summary>
    public static Activity? StartStoreCall(string route, string operation)
    {
        if (!Source.HasListeners() || Activity.Current is not { IsAllDataRequested: true })
        {
            return null;
        }
        var span = Source.StartActivity("cachelayer " + operation, ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("db.system.name", "redis");
            span.SetTag("cachelayer.operation", operation);
            span.SetTag("http.route", route);
        }
        return span;
    }

    /// <summary>Marks the call failed; the message stays out, as the client's may name the keys it touched.</summary>
    public static void Failed(Activity? span, Exception exception)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetStatus(ActivityStatusCode.Error);
            span.SetTag("error.type", exception.GetType().FullName);
        }
    }
}
