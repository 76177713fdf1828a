using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The invalidations of every replica, in order, on the log's slot (see <see cref="RedisLayout"/>): a sorted
/// set of the latest <see cref="Length"/> entries scored by sequence number, so a replica reads what it has
/// not seen from its last number, and can tell when the log no longer reaches back that far; the number the log
/// began at, so a replica with no history can tell a trimmed log from a whole one; and the Redis channel
/// <c>{KeyPrefix}__cachelayer:invalidations</c>, the doorbell that makes the others read it at once.
/// </summary>
internal sealed class RedisInvalidationLog(RedisConnection redis, RedisLayout layout, IOptions<CacheLayerOptions> options) : IInvalidationLogStore
{
    /// <summary>Entries kept: a replica that falls further behind than this starts over from an empty memory tier.</summary>
    public const int Length = 10_000;

    /// <summary>How long a log no one writes to is kept: readers that find it gone start over, as after any gap.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private readonly RedisChannel _channel = RedisChannel.Literal(options.Value.KeyPrefix + "__cachelayer:invalidations");

    public Task Connected => redis.GetAsync();

    public async Task<long> AppendAsync(CacheInvalidation invalidation, string replica)
    {
        var database = await redis.DatabaseAsync();
        var firstNumber = Random.Shared.NextInt64(1, 1L << 40);
        return (long)await database.ScriptEvaluateAsync(
            RedisScripts.AppendInvalidation,
            [layout.InvalidationLog, layout.InvalidationSequence, layout.InvalidationFirst],
            [$"{replica}\n{invalidation.Serialize()}", firstNumber, Length, (long)Lifetime.TotalMilliseconds]);
    }

    public async Task<LogRead> ReadAsync(long after, int count)
    {
        var database = await redis.DatabaseAsync();
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(
            RedisScripts.ReadInvalidations, [layout.InvalidationLog, layout.InvalidationSequence, layout.InvalidationFirst], [after, count]))!;
        var members = (RedisValue[])result[2]!;
        var entries = new List<LoggedInvalidation>(members.Length);
        foreach (var member in members)
        {
            if (LoggedInvalidation.Parse(member!) is { } entry)
            {
                entries.Add(entry);
            }
        }
        return new LogRead(NumberOf(result[0]), entries) { First = NumberOf(result[1]) };
    }

    public void Ring(string replica)
    {
        if (redis.GetAsync() is { IsCompletedSuccessfully: true } connected)
        {
            connected.Result.GetSubscriber().Publish(_channel, replica, CommandFlags.FireAndForget);
        }
    }

    public async Task SubscribeAsync(Action<string> onRing) =>
        await (await redis.GetAsync()).GetSubscriber().SubscribeAsync(_channel, (_, ringer) => onRing(ringer!));

    private static long? NumberOf(RedisResult result) =>
        (string?)result is { Length: > 0 } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;
}

/// <summary>One read of the log: its last sequence number (null when there is none), the number it began at (null: unknown) and the entries read.</summary>
internal sealed record LogRead(long? Head, IReadOnlyList<LoggedInvalidation> Entries)
{
    public long? First { get; init; }
}

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
