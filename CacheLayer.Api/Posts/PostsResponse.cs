namespace CacheLayer.Api.Posts;

/// <summary><c>{"posts":["Cached post A","Cached post B"]}</c></summary>
public sealed record PostsResponse(IReadOnlyList<string> Posts);
