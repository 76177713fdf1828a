namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// The server-side steps that must be atomic or that need Redis's clock. Each declares its keys, all in one hash
/// slot, so it is legal on Redis Cluster; StackExchange.Redis sends them by SHA (EVALSHA) once a server knows them.
/// Every time a script compares or writes is Redis's own (<c>TIME</c>), so replicas' clocks need not agree.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: a tag's generation. ARGV: a fresh token, its lifetime in ms. The current token; a missing one is
    /// created (tags are declared by endpoints, so their number is bounded), never read as "unchanged".
    /// </summary>
    public const string ReadGeneration = """
        local token = redis.call('GET', KEYS[1])
        if token then return token end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ARGV[1]
        """;

    /// <summary>
    /// KEYS: a path's variants set. ARGV: its lifetime in ms, now (unix ms on Redis's clock), the variant cap (0: none),
    /// the Redis key of a variant's entry less its rest (<c>{P + path}</c>), then (rest, when the entry goes) pairs. Adds the
    /// stored variants of one batch, drops the gone ones, and, past the cap, deletes the newest entries over it (the
    /// cap is kept by the batch, a moment after the stores). Returns { the variants over the cap that were deleted,
    /// when the soonest entry goes (0: none) }.
    /// </summary>
    public const string AddVariants = """
        local args = {}
        for i = 5, #ARGV, 2 do
          args[#args + 1] = ARGV[i + 1]
          args[#args + 1] = ARGV[i]
        end
        redis.call('ZADD', KEYS[1], unpack(args))
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        local cap = tonumber(ARGV[3])
        local over = 0
        if cap > 0 then
          over = redis.call('ZCARD', KEYS[1]) - cap
          if over > 0 then
            local newest = redis.call('ZRANGE', KEYS[1], 0, over - 1, 'REV')
            for _, rest in ipairs(newest) do
              redis.call('DEL', ARGV[4] .. rest)
            end
            redis.call('ZREM', KEYS[1], unpack(newest))
          else
            over = 0
          end
        end
        local soonest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return { over, soonest[2] or 0 }
        """;

    /// <summary>
    /// KEYS: a path's generation. ARGV: a fresh token, the least lifetime in ms. Retires the path: no entry stored
    /// under the old token is served and no miss that read it stores. The token is replaced, never deleted, so a
    /// miss that found none cannot store either; it lives as long as the old one, and at least long enough for
    /// the misses in flight.
    /// </summary>
    public const string Retire = """
        local left = redis.call('PTTL', KEYS[1])
        if left < tonumber(ARGV[2]) then left = tonumber(ARGV[2]) end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', left)
        return 1
        """;

    /// <summary>
    /// KEYS: a path's generation. ARGV: a fresh store part, a fresh token, the least lifetime in ms. Replaces the
    /// store part of the token (see <see cref="CacheGenerations"/>), keeping its serve part, so misses in flight
    /// cannot store while the entries left are still served; a missing token is created (both parts fresh).
    /// </summary>
    public const string Refence = """
        local token = redis.call('GET', KEYS[1])
        if not token then
          redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
          return 0
        end
        redis.call('SET', KEYS[1], string.match(token, '^[^.]*') .. '.' .. ARGV[1], 'KEEPTTL')
        return 1
        """;

    /// <summary>
    /// KEYS: an entry, its path's generation, its path's variants set. ARGV: its member in the variants set, a fresh
    /// store part, a fresh token, the least lifetime in ms. Deletes the entry if it is one the layer wrote (its
    /// first byte is the marker; any other key, of any type, is left alone), whatever bookkeeping was evicted, and
    /// then re-fences the path as <see cref="Refence"/> does. Returns 1 when an entry was deleted.
    /// </summary>
    public const string RemoveKey = """
        redis.call('ZREM', KEYS[3], ARGV[1])
        if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
        local first = redis.call('GETRANGE', KEYS[1], 0, 0)
        if first ~= '\195' then return 0 end
        redis.call('DEL', KEYS[1])
        local token = redis.call('GET', KEYS[2])
        if token then
          redis.call('SET', KEYS[2], string.match(token, '^[^.]*') .. '.' .. ARGV[2], 'KEEPTTL')
        else
          redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
        end
        return 1
        """;

    /// <summary>
    /// KEYS: a shard's expiry set, its paths set, then the shard's tag sets concerned. ARGV: the sets' lifetime in ms
    /// (0: keep it; the writer renews it now and then, not at every batch),
    /// then for each of KEYS its count of (score, member) pairs followed by those pairs. Times are Redis's (as the
    /// stores read them from <see cref="RedisClock"/>). One command per shard for a whole batch of stores, one ZADD per
    /// set: paths keep their latest time (GT).
    /// </summary>
    public const string IndexBatch = """
        local i = 2
        for k = 1, #KEYS do
          local n = tonumber(ARGV[i])
          if n > 0 then
            local args = {}
            for j = i + 1, i + 2 * n do args[#args + 1] = ARGV[j] end
            if k == 2 then
              redis.call('ZADD', KEYS[k], 'GT', unpack(args))
            else
              redis.call('ZADD', KEYS[k], unpack(args))
            end
            if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[k], ARGV[1]) end
          end
          i = i + 1 + 2 * n
        end
        return 1
        """;

    /// <summary>
    /// KEYS: a shard's expiry set. The live keys in it (fresh expiry after Redis's now).
    /// </summary>
    public const string CountLive = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
        """;

    /// <summary>
    /// KEYS: a shard's expiry set, its paths set, then tag sets of the shard. ARGV: the most members to drop per set.
    /// Drops what has gone by Redis's clock; returns how many keys left the expiry set.
    /// </summary>
    public const string Trim = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local function trim(key)
          local gone = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, limit)
          if #gone > 0 then redis.call('ZREM', key, unpack(gone)) end
          return #gone
        end
        local trimmed = trim(KEYS[1])
        for k = 2, #KEYS do trim(KEYS[k]) end
        return trimmed
        """;

    /// <summary>
    /// KEYS: the invalidation log, its sequence, the number it began at. ARGV: the entry, a random first sequence
    /// number, the log's length, its lifetime in ms. Appends the entry under the next sequence number, trims the
    /// log to its length and renews its lifetime; returns the number. A new (or lost and recreated) log starts at
    /// a random number, written down, so a reader that had read an earlier one sees a gap, never a run of numbers
    /// it takes for ones it has seen, and a reader with no history can tell whether the log still holds its start.
    /// </summary>
    public const string AppendInvalidation = """
        local seq = redis.call('INCR', KEYS[2])
        if seq == 1 then
          seq = tonumber(ARGV[2])
          redis.call('SET', KEYS[2], ARGV[2])
          redis.call('SET', KEYS[3], ARGV[2])
        end
        redis.call('ZADD', KEYS[1], seq, seq .. ':' .. ARGV[1])
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
        if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        return seq
        """;

    /// <summary>
    /// KEYS: the invalidation log, its sequence, the number it began at. ARGV: the last sequence number read, the
    /// most entries to return. The log's last sequence number ('' when there is no log), the number it began at
    /// ('' when unknown) and the entries after ARGV[1], oldest first.
    /// </summary>
    public const string ReadInvalidations = """
        local seq = redis.call('GET', KEYS[2]) or ''
        local first = redis.call('GET', KEYS[3]) or ''
        return { seq, first, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2])) }
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
