namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The server-side steps that must be atomic. Each declares its keys, all in one hash slot, so it is legal
/// on Redis Cluster; StackExchange.Redis sends them by SHA (EVALSHA) once a server knows them.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: a generation. ARGV: a fresh token, its lifetime in ms. The current token; a missing one is
    /// created (so it can be compared later), never read as "unchanged". A created one lives long enough
    /// for the miss that reads it; storing an entry under it makes it outlive the entry.
    /// </summary>
    public const string ReadGeneration = """
        local token = redis.call('GET', KEYS[1])
        if token then return token end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ARGV[1]
        """;

    /// <summary>
    /// KEYS: the entry, the path's generation, the path's variants set, the entry's grace copy. ARGV: the token
    /// read before the origin was asked, the value, its TTL in ms, when it and its copy are both gone (unix ms), now (unix ms), its member
    /// in the variants set, the variant cap (0: none), the generation's lifetime in ms, the grace copy's lifetime
    /// in ms (0: none). The copy holds the same bytes, so the same tokens retire both. A variant holds room
    /// in the cap while its entry or its copy lives; gone ones are dropped when the set reaches the cap (so
    /// the set never outgrows it).
    /// Returns 1 when stored, 0 when the path's token changed or is gone, 2 when a new variant would exceed the cap.
    /// </summary>
    public const string Store = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
        local cap = tonumber(ARGV[7])
        if cap > 0 and redis.call('ZCARD', KEYS[3]) >= cap then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[5])
          if redis.call('ZCARD', KEYS[3]) >= cap and not redis.call('ZSCORE', KEYS[3], ARGV[6]) then return 2 end
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        local kept = tonumber(ARGV[9])
        if kept > 0 then
          redis.call('SET', KEYS[4], ARGV[2], 'PX', kept)
        else
          redis.call('DEL', KEYS[4])
          kept = tonumber(ARGV[3])
        end
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
        redis.call('PEXPIRE', KEYS[3], kept)
        redis.call('PEXPIRE', KEYS[2], ARGV[8])
        return 1
        """;

    /// <summary>
    /// KEYS: a path's generation. ARGV: a fresh store part. Replaces the store part of the token (see
    /// <see cref="CacheGenerations"/>), keeping its serve part and lifetime; a missing token stays missing.
    /// </summary>
    public const string Refence = """
        local token = redis.call('GET', KEYS[1])
        if not token then return 0 end
        redis.call('SET', KEYS[1], string.match(token, '^[^.]*') .. '.' .. ARGV[1], 'KEEPTTL')
        return 1
        """;

    /// <summary>
    /// KEYS: the invalidation log, its sequence. ARGV: the entry, a random first sequence number, the log's
    /// length, its lifetime in ms. Appends the entry under the next sequence number, trims the log to its
    /// length and renews its lifetime; returns the number. A new (or lost and recreated) log starts at a random number, so a reader that had read
    /// an earlier one sees a gap, never a run of numbers it takes for ones it has seen.
    /// </summary>
    public const string AppendInvalidation = """
        local seq = redis.call('INCR', KEYS[2])
        if seq == 1 then
          seq = tonumber(ARGV[2])
          redis.call('SET', KEYS[2], ARGV[2])
        end
        redis.call('ZADD', KEYS[1], seq, seq .. ':' .. ARGV[1])
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
        if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return seq
        """;

    /// <summary>
    /// KEYS: the invalidation log, its sequence. ARGV: the last sequence number read, the most entries to
    /// return. The log's last sequence number ('' when there is no log) and the entries after ARGV[1], oldest first.
    /// </summary>
    public const string ReadInvalidations = """
        local seq = redis.call('GET', KEYS[2]) or ''
        return { seq, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2])) }
        """;

    /// <summary>
    /// KEYS: a replica's statistics snapshot, the replicas set. ARGV: the snapshot, its lifetime in ms, the
    /// replica's id. Stores the snapshot, drops the replicas whose snapshots have expired, and lists this one
    /// until its own expires; the set expires with the last snapshot. Times are the server's, so replicas'
    /// clocks need not agree.
    /// </summary>
    public const string PublishStatistics = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return 1
        """;
}
