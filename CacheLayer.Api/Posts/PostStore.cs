using System.Collections.Immutable;
using CacheLayer.Api.Origin;

namespace CacheLayer.Api.Posts;

/// <summary>The demo's post titles, in memory, seeded with two posts.</summary>
public sealed class PostStore(OriginLatency latency)
{
    private ImmutableList<string> _posts = ["Cached post A", "Cached post B"];

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await latency.WaitAsync(cancellationToken);
        return Volatile.Read(ref _posts);
    }

    public async Task AddAsync(string title, CancellationToken cancellationToken)
    {
        await latency.WaitAsync(cancellationToken);
        ImmutableInterlocked.Update(ref _posts, posts => posts.Add(title));
    }
}
