using CacheLayer.Api.Users;

namespace CacheLayer.Api.Origin;

/// <summary>What the demo's origin holds before anyone writes, whichever store keeps it.</summary>
public static class DemoSeed
{
    public static IReadOnlyList<User> Users { get; } = [new(1, "Cached User A"), new(2, "Cached User B")];

    public static IReadOnlyList<string> PostTitles { get; } = ["Cached post A", "Cached post B"];
}
