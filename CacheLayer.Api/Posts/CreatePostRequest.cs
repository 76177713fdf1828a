namespace CacheLayer.Api.Posts;

/// <summary><c>{"title":"New Post A"}</c></summary>
public sealed record CreatePostRequest(string? Title)
{
    public const int MaxTitleLength = 200;

    public Dictionary<string, string[]> Validate() =>
        string.IsNullOrWhiteSpace(Title) ? new() { ["title"] = ["A non-empty title is required."] }
        : Title.Length > MaxTitleLength ? new() { ["title"] = [$"The title must be at most {MaxTitleLength} characters."] }
        : [];
}
