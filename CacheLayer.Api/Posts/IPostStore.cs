namespace CacheLayer.Api.Posts;

/// <summary>The demo's post titles in insertion order, as the handlers see them: in memory or in the shared SQLite origin.</summary>
public interface IPostStore
{
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    Task AddAsync(string title, CancellationToken cancellationToken);
}
