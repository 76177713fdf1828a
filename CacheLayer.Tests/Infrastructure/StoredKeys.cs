using StackExchange.Redis;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// What the layer keeps in one Redis server, found with SCAN (fine in a test, never in product code).
/// A key is bookkeeping if it contains <c>__cachelayer:</c> or if it starts with <c>{</c> and the text
/// after the first <c>}</c> starts with <c>#</c> (layout v2: <c>{GET:/api/posts/}#gen</c>); any other
/// key of the layer is an entry (<c>GET:/api/posts/</c>, <c>{GET:/api/posts/}?page=2</c>).
/// </summary>
public sealed record StoredKeys(IReadOnlyList<string> Entries, IReadOnlyList<string> Bookkeeping)
{
    public static bool IsBookkeeping(string key)
    {
        if (key.Contains("__cachelayer:", StringComparison.Ordinal))
        {
            return true;
        }
        var close = key.IndexOf('}', StringComparison.Ordinal);
        return key.StartsWith('{') && close > 0 && key.AsSpan(close + 1).StartsWith("#");
    }

    /// <summary>The layer's keys on <paramref name="server"/>; keys <paramref name="isForeign"/> says are not the layer's (filler, other apps) are left out.</summary>
    public static async Task<StoredKeys> ScanAsync(IServer server, Func<string, bool>? isForeign = null)
    {
        var entries = new List<string>();
        var bookkeeping = new List<string>();
        await foreach (var redisKey in server.KeysAsync(pattern: "*", pageSize: 1000))
        {
            var key = redisKey.ToString();
            if (isForeign?.Invoke(key) == true)
            {
                continue;
            }
            (IsBookkeeping(key) ? bookkeeping : entries).Add(key);
        }
        return new StoredKeys(entries, bookkeeping);
    }
}
