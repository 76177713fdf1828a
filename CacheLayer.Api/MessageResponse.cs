namespace CacheLayer.Api;

/// <summary><c>{"message":"..."}</c></summary>
public sealed record MessageResponse(string Message);
