using CacheLayer.AspNetCore.Policies;
using Microsoft.AspNetCore.Builder;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares endpoints whose responses are cached as their own headers say (RFC 9111), such as a reverse proxy's routes.</summary>
public static class CacheLayerOriginDirectedConventionExtensions
{
    /// <summary>
    /// Caches these endpoints' GET and HEAD responses as a shared HTTP cache does (RFC 9111): for as long as the
    /// response's <c>s-maxage</c>, <c>max-age</c> or <c>Expires</c> says, revalidated with its validators, served
    /// stale only as <c>stale-while-revalidate</c> and <c>stale-if-error</c> allow, and never when it is
    /// <c>private</c>, <c>no-store</c> or sets a cookie. A 2xx or 3xx answer to a POST, PUT, PATCH or DELETE
    /// invalidates its target URI, and its same-origin <c>Location</c> and <c>Content-Location</c>, on every
    /// replica. Made for <c>app.MapReverseProxy().CacheFromOrigin()</c>; settings under <c>CacheLayer:OriginDirected</c>.
    /// </summary>
    /// <param name="builder">The endpoints, e.g. YARP's <c>MapReverseProxy()</c>.</param>
    public static TBuilder CacheFromOrigin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(OriginDirectedPolicy.Instance));
        return builder;
    }
}
