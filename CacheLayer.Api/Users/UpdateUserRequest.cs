namespace CacheLayer.Api.Users;

/// <summary><c>{"name":"Updated User A"}</c></summary>
public sealed record UpdateUserRequest(string? Name)
{
    public const int MaxNameLength = 100;

    public Dictionary<string, string[]> Validate() => RequiredText.Validate("name", Name, MaxNameLength);
}
