using Yarp.ReverseProxy.Transforms;

namespace CacheLayer.Gateway;

/// <summary>
/// Drops the origin's header fields that its <c>Connection</c> field names (RFC 9110 §7.6.1): they are for this
/// hop only, so a proxy neither forwards nor stores them.
/// </summary>
internal sealed class ConnectionListedHeaders : ResponseTransform
{
    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is { } upstream)
        {
            foreach (var name in upstream.Headers.Connection)
            {
                if (!string.Equals(name, "close", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    context.HttpContext.Response.Headers.Remove(name);
                }
            }
        }
        return ValueTask.CompletedTask;
    }
}
