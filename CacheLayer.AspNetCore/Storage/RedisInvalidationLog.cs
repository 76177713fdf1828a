using System.Globalization;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The invalidations of every replica, in order, on the log's slot (see <see cref="RedisLayout"/>): a sorted
/// set of the latest <see cref="Length"/> entries scored by sequence number, so a replica reads what it has
/// not seen from its last number, and can tell when the log no longer reaches back that far.
/// </summary>
internal sealed class RedisInvalidationLog(RedisConnection redis, RedisLayout layout)
{
    /// <summary>Entries kept: a replica that falls further behind than this starts over from an empty memory tier.</summary>
    public const int Length = 10_000;

    /// <summary>How long a log no one writes to is kept: readers that find it gone start over, as after any gap.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    /// <summary>Appends what <paramref name="replica"/> invalidated; returns its sequence number.</summary>
    public async Task<long> AppendAsync(CacheInvalidation invalidation, string replica)
    {
        var database = await redis.DatabaseAsync();
        var firstNumber = Random.Shared.NextInt64(1, 1L << 40);
        return (long)await database.ScriptEvaluateAsync(
            RedisScripts.AppendInvalidation,
            [layout.InvalidationLog, layout.InvalidationSequence],
            [$"{replica}\n{invalidation.Serialize()}", firstNumber, Length, (long)Lifetime.TotalMilliseconds]);
    }

    /// <summary>The log's last sequence number (null: there is no log) and at most <paramref name="count"/> entries after <paramref name="after"/>.</summary>
    public async Task<LogRead> ReadAsync(long after, int count)
    {
        var database = await redis.DatabaseAsync();
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(
            RedisScripts.ReadInvalidations, [layout.InvalidationLog, layout.InvalidationSequence], [after, count]))!;
        var head = (string?)result[0] is { Length: > 0 } text ? long.Parse(text, CultureInfo.InvariantCulture) : (long?)null;
        var members = (RedisValue[])result[1]!;
        var entries = new List<LoggedInvalidation>(members.Length);
        foreach (var member in members)
        {
            if (LoggedInvalidation.Parse(member!) is { } entry)
            {
                entries.Add(entry);
            }
        }
        return new LogRead(head, entries);
    }
}

/// <summary>One read of the log: its last sequence number (null when there is none) and the entries read.</summary>
internal sealed record LogRead(long? Head, IReadOnlyList<LoggedInvalidation> Entries);

/// <summary>An invalidation as logged: <c>sequence:replica\nkind\nvalue</c>.</summary>
internal sealed record LoggedInvalidation(long Sequence, string Replica, CacheInvalidation Invalidation)
{
    public static LoggedInvalidation? Parse(string member)
    {
        var colon = member.IndexOf(':');
        var newline = member.IndexOf('\n');
        return colon > 0 && newline > colon
            && long.TryParse(member.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && CacheInvalidation.Deserialize(member[(newline + 1)..]) is { } invalidation
            ? new LoggedInvalidation(sequence, member[(colon + 1)..newline], invalidation)
            : null;
    }
}
