namespace CacheLayer.Api.Admin;

/// <summary><c>{"message":"Cache entries deleted","deleted":3}</c></summary>
public sealed record DeletedResponse(string Message, long Deleted);
