namespace CacheLayer.Api.Users;

public sealed record User(int Id, string Name);
