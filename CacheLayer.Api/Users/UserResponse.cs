namespace CacheLayer.Api.Users;

/// <summary><c>{"user":{"id":1,"name":"Cached User A"}}</c></summary>
public sealed record UserResponse(User User);
