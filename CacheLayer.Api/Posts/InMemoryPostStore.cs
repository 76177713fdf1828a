using System.Collections.Immutable;
using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Posts;

/// <summary>The demo's post titles in this process's memory, seeded with two posts.</summary>
public sealed class InMemoryPostStore(OriginLatency origin) : IPostStore
{
    private ImmutableList<string> _posts = [.. DemoSeed.PostTitles];

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        origin.CallAsync<IReadOnlyList<string>>(() => Volatile.Read(ref _posts), cancellationToken);

    public Task AddAsync(string title, CancellationToken cancellationToken) =>
        origin.CallAsync(() => ImmutableInterlocked.Update(ref _posts, posts => posts.Add(title)), cancellationToken);
}
