using CacheLayer.AspNetCore.Endpoints;
using CacheLayer.AspNetCore.Http;
using CacheLayer.AspNetCore.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore.Pipeline;

/// <summary>
/// Which requests neither read nor write the cache: <c>?nocache=true</c>, <c>Cache-Control: no-store</c>,
/// credentials on a route that does not vary by user, and on one that does, credentials that did not
/// authenticate or a user without a stable id (a per-user key could not be told apart from another's).
/// </summary>
internal sealed class BypassRules(IOptions<CacheLayerOptions> options)
{
    private readonly string[] _credentialHeaders = options.Value.CredentialHeaders;
    private readonly string[] _credentialQueryParameters = options.Value.CredentialQueryParameters;

    public CacheBypassReason? Of(HttpContext context, CachePolicy policy, RequestCacheDirectives directives, out bool isPrivate)
    {
        var http = context.Request;
        isPrivate = CarriesCredentials(http);
        if (http.QueryString.HasValue && CacheKeyQuery.IsBypass(http.Query))
        {
            return CacheBypassReason.Requested;
        }
        if (directives.NoStore)
        {
            return CacheBypassReason.NoStore;
        }
        if (!policy.VaryByUser)
        {
            return isPrivate ? CacheBypassReason.Private : null;
        }
        var authenticated = context.User.Identity?.IsAuthenticated == true;
        // Credentials that did not authenticate (an expired token, a stale session cookie) must not share the anonymous entry.
        if ((isPrivate && !authenticated) || (authenticated && UserKey.IdOf(context.User) is null))
        {
            return CacheBypassReason.NoUserId;
        }
        return null;
    }

    private bool CarriesCredentials(HttpRequest http)
    {
        if (http.Headers.Authorization.Count > 0 || http.Headers.Cookie.Count > 0)
        {
            return true;
        }
        foreach (var header in _credentialHeaders)
        {
            if (http.Headers.ContainsKey(header))
            {
                return true;
            }
        }
        if (http.QueryString.HasValue)
        {
            foreach (var parameter in _credentialQueryParameters)
            {
                if (http.Query.ContainsKey(parameter))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
