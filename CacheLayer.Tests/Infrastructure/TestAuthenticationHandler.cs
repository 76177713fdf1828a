using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Infrastructure;

/// <summary><c>Authorization: Test alice</c> signs the request in as alice (id and name alice).</summary>
public sealed class TestAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string NoIdPrefix = "noid:";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var name = header[(SchemeName.Length + 1)..];
        // "Test noid:alice" signs in a user that has a display name but no stable id.
        var identity = name.StartsWith(NoIdPrefix, StringComparison.Ordinal)
            ? new ClaimsIdentity([new Claim(ClaimTypes.Name, name[NoIdPrefix.Length..])], SchemeName)
            : new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.NameIdentifier, name)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
