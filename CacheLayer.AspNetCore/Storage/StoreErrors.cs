using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>Which store failures another attempt cannot cure: the store answered, and said no.</summary>
internal static class StoreErrors
{
    // Redis's error prefixes for a server that is busy, starting, failing over or resharding: worth another try.
    private static readonly string[] Retryable = ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "MOVED", "ASK", "NOREPLICAS", "OOM"];

    /// <summary>
    /// True for an error the store gave because of what it holds or was sent (<c>WRONGTYPE</c>, a script error):
    /// the same call fails the same way again. Timeouts, lost connections and a server that is busy or failing over
    /// are retryable.
    /// </summary>
    public static bool IsDeterministic(Exception? error) =>
        error switch
        {
            RedisServerException server => !Retryable.Any(prefix => server.Message.StartsWith(prefix, StringComparison.Ordinal)),
            AggregateException { InnerExceptions: [var inner] } => IsDeterministic(inner),
            _ => false,
        };
}
