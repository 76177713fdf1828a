namespace CacheLayer.Api.Users;

/// <summary><c>{"name":"Updated User A"}</c></summary>
public sealed record UpdateUserRequest(string? Name)
{
    public const int MaxNameLength = 100;

    public Dictionary<string, string[]> Validate() =>
        string.IsNullOrWhiteSpace(Name) ? new() { ["name"] = ["A non-empty name is required."] }
        : Name.Length > MaxNameLength ? new() { ["name"] = [$"The name must be at most {MaxNameLength} characters."] }
        : [];
}
