namespace CacheLayer.Api.Users;

/// <summary><c>{"name":"alice"}</c></summary>
public sealed record MeResponse(string Name);
