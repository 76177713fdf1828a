using System.Security.Claims;

namespace CacheLayer.Tests.Unit;

public class UserKeyTests
{
    private const string Salt = "user-key-tests-salt-0123456789";

    [Fact]
    public void The_same_subject_from_two_issuers_gets_two_keys()
    {
        var fromA = User("alice-sub", issuer: "https://issuer-a.example");
        var fromB = User("alice-sub", issuer: "https://issuer-b.example");

        Assert.NotEqual(UserKey.Of(fromA, Salt), UserKey.Of(fromB, Salt));
        Assert.Equal(UserKey.Of(fromA, Salt), UserKey.Of(User("alice-sub", issuer: "https://issuer-a.example"), Salt));
    }

    [Fact]
    public void The_same_subject_under_two_schemes_gets_two_keys() =>
        Assert.NotEqual(UserKey.Of(User("bob", "https://issuer.example", "Bearer"), Salt), UserKey.Of(User("bob", "https://issuer.example", "Other"), Salt));

    private static ClaimsPrincipal User(string subject, string issuer, string scheme = "Bearer") =>
        new(new ClaimsIdentity([new Claim("sub", subject, ClaimValueTypes.String, issuer)], scheme));
}
