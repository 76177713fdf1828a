namespace CacheLayer.Api.Posts;

/// <summary><c>{"title":"New Post A"}</c></summary>
public sealed record CreatePostRequest(string? Title)
{
    public const int MaxTitleLength = 200;

    public Dictionary<string, string[]> Validate() => RequiredText.Validate("title", Title, MaxTitleLength);
}
