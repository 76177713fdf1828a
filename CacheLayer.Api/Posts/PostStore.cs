using System.Collections.Immutable;
using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Posts;

/// <summary>The demo's post titles, in memory, seeded with two posts.</summary>
public sealed class PostStore(OriginLatency origin)
{
    private ImmutableList<string> _posts = ["Cached post A", "Cached post B"];

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        origin.CallAsync<IReadOnlyList<string>>(() => Volatile.Read(ref _posts), cancellationToken);

    public Task AddAsync(string title, CancellationToken cancellationToken) =>
        origin.CallAsync(() => ImmutableInterlocked.Update(ref _posts, posts => posts.Add(title)), cancellationToken);
}
