using System.Net.Http.Json;
using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration.Stale;

/// <summary>
/// What the stale-serving tests share. Expiry is Redis's, in real time: an entry is warmed with a short
/// real TTL and the tests poll Redis until its key is gone (the memory tier is off, so nothing else keeps
/// it). Where a fake clock is used, it is advanced only after that, so both clocks agree the entry expired.
/// </summary>
internal static class StaleKit
{
    public const string UsersRoute = "/api/users/{id}";
    public const string UserKey = "GET:/api/users/1";
    public const string StaleMetric = "cachelayer_cache_stale_total";

    /// <summary>Memory tier off (expiry is Redis's alone) and short demo TTLs, plus <paramref name="extra"/>.</summary>
    public static Dictionary<string, string> Settings(Dictionary<string, string>? baseSettings = null, params (string Key, string Value)[] extra)
    {
        var settings = baseSettings ?? [];
        settings["CacheLayer:MemoryTier:Enabled"] = "false";
        settings["Demo:Ttl:Users"] = "00:00:01";
        settings["Demo:Ttl:Posts"] = "00:00:01";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>
    /// A fake clock at about now, on a whole second: entries store their times in whole milliseconds, so a
    /// clock with a fraction of one would put the expiry a fraction before the whole second the test counts from.
    /// </summary>
    public static FakeTimeProvider WholeSecondClock()
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeTimeProvider(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)));
    }

    /// <summary>
    /// Starts the API on real Kestrel (a free loopback port) and waits for its Redis client. For what a client
    /// on a real connection sees: the in-memory test server ends a response body only when the whole request
    /// pipeline has returned, which a stale answer followed by a background refresh does not.
    /// </summary>
    public static async Task<HttpClient> StartOnKestrelAsync(ApiFactory api)
    {
        // Listen, not UseKestrel(0): the factory's port setting races with a minimal host's own start (dotnet/aspnetcore#67714).
        api.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        api.StartServer();
        var redis = api.Services.GetRequiredKeyedService<IConnectionMultiplexer>("cache");
        await Eventually.TrueAsync(() => redis.IsConnected, timeoutSeconds: 15);
        return api.CreateClient(new() { HandleCookies = false, BaseAddress = api.ClientOptions.BaseAddress });
    }

    /// <summary>
    /// Releases <paramref name="origin"/>, whose one held call answers <paramref name="renamed"/>: once that is
    /// stored, the next request is a hit on it, the origin was asked no more, and the one stale answer counted
    /// had <paramref name="reason"/>.
    /// </summary>
    public static async Task AssertRefreshedOnReleaseAsync(
        CacheServerFixture store, ApiFactory api, HttpClient client, HeldOrigin origin, int readsBefore, string renamed, string reason)
    {
        origin.Release();
        await UntilExistsAsync(store.Redis, api.RedisKey(UserKey));
        using var fresh = await client.GetAsync("/api/users/1");

        Assert.Equal("HIT", fresh.XCache());
        Assert.Equal(renamed, await NameAsync(fresh));
        Assert.Equal(readsBefore + 1, origin.Reads);
        var samples = await MetricsAsync(client);
        Assert.Equal(1, samples.Single(StaleMetric, PrometheusSamples.CacheScope, ("cachelayer_reason", reason), ("http_route", UsersRoute)));
        Assert.Single(samples.Matching(StaleMetric, ("http_route", UsersRoute)));
    }

    /// <summary>
    /// While <paramref name="origin"/> holds a refresh: a request on a new connection is answered at once (the
    /// server as a whole is not stuck), and so is <paramref name="client"/>'s next request, most likely on the
    /// same keep-alive connection, as a browser's next request would be. Releases the origin.
    /// </summary>
    public static async Task AssertNextRequestsNotHeldAsync(ApiFactory api, HttpClient client, HeldOrigin origin, string heldBy)
    {
        using (var newConnection = api.CreateClient(new() { HandleCookies = false, BaseAddress = api.ClientOptions.BaseAddress }))
        {
            using var elsewhere = await newConnection.GetAsync("/api/posts/?nocache=true").WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(System.Net.HttpStatusCode.OK, elsewhere.StatusCode);
        }
        var next = client.GetAsync("/api/posts/?nocache=true");
        var answeredWhileHeld = await CompletesWithinAsync(next, TimeSpan.FromSeconds(3));
        origin.Release();
        using var nextResponse = await next.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(answeredWhileHeld, $"the next request waited for {heldBy} of another one to finish");
        Assert.Equal(System.Net.HttpStatusCode.OK, nextResponse.StatusCode);
    }

    /// <summary>
    /// The Redis key of a cache key's grace copy. Layout v3 keeps one body per entry: the copy is the entry itself,
    /// kept TTL + grace, fresh while its remaining time is more than its grace.
    /// </summary>
    public static string StaleKey(ApiFactory api, string cacheKey) => StaleKey(api.KeyPrefix, cacheKey);

    public static string StaleKey(string keyPrefix, string cacheKey) =>
        new RedisLayout(keyPrefix).EntryKeyOf(CacheKey.PathOf(cacheKey), cacheKey).ToString();

    /// <summary>Whether the key holds a grace copy: an entry stored with a grace, fresh or not.</summary>
    public static async Task<bool> HasCopyAsync(IDatabase redis, string redisKey) =>
        (byte[]?)await redis.StringGetAsync(redisKey) is { } value && StoredEntry.GraceOf(value) > TimeSpan.Zero;

    public static Task<bool> HasCopyAsync(IDatabase redis, ApiFactory api, string cacheKey) => HasCopyAsync(redis, StaleKey(api, cacheKey));

    public static Task<bool> HasCopyAsync(IDatabase redis, string keyPrefix, string cacheKey) => HasCopyAsync(redis, StaleKey(keyPrefix, cacheKey));

    /// <summary>Whether the key holds an entry that is still fresh on Redis's clock (the time written in it is ahead of Redis's TIME).</summary>
    public static bool IsFresh(IDatabase redis, string redisKey) =>
        (byte[]?)redis.StringGet(redisKey) is { } value && StoredEntry.FreshUntilOf(value) > EntryTtl.RedisNow(redis);

    /// <summary>Ends the entry's fresh part at once, as its TTL running out would: the time written in it becomes Redis's now; its key lives on.</summary>
    public static async Task ExpireAsync(IDatabase redis, string redisKey)
    {
        var value = (byte[]?)await redis.StringGetAsync(redisKey) ?? throw new InvalidOperationException($"No entry at {redisKey}.");
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(10), EntryTtl.RedisNow(redis) - 1);
        await redis.StringSetAsync(redisKey, value, null, keepTtl: true);
    }

    /// <summary>Polls Redis (real time) until the entry is no longer fresh: its TTL ran out (its grace copy may live on).</summary>
    public static Task UntilGoneAsync(IDatabase redis, string redisKey, int timeoutSeconds = 15) =>
        Eventually.TrueAsync(() => !IsFresh(redis, redisKey), timeoutSeconds);

    /// <summary>Polls Redis until the key is gone altogether: the entry and its grace copy.</summary>
    public static Task UntilRemovedAsync(IDatabase redis, string redisKey, int timeoutSeconds = 15) =>
        Eventually.TrueAsync(() => !redis.KeyExists(redisKey), timeoutSeconds);

    /// <summary>Polls Redis until the key holds a fresh entry (e.g. a background refresh stored the entry again).</summary>
    public static Task UntilExistsAsync(IDatabase redis, string redisKey, int timeoutSeconds = 15) =>
        Eventually.TrueAsync(() => IsFresh(redis, redisKey), timeoutSeconds);

    /// <summary>Whether <paramref name="task"/> completes within <paramref name="limit"/> (a bound, not a wait: it returns as soon as the task does).</summary>
    public static async Task<bool> CompletesWithinAsync(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true; // completed, if not successfully: the caller awaits it and sees why
        }
    }

    public static async Task<string?> NameAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<UserBody>())?.User.Name;

    public static async Task<PrometheusSamples> MetricsAsync(HttpClient client) =>
        PrometheusSamples.Parse(await client.GetStringAsync("/metrics"));

    /// <summary>The stale counter's samples for a route: reason to value.</summary>
    public static Dictionary<string, double> StaleCounts(PrometheusSamples samples, string route = UsersRoute) =>
        samples.Matching(StaleMetric, ("http_route", route))
            .ToDictionary(sample => sample.Labels.TryGetValue("cachelayer_reason", out var reason) ? reason : "(none)", sample => sample.Value);

    public static async Task StartOutageAsync(ApiFactory api, int seconds = 60)
    {
        using var admin = api.CreateAdminClient();
        using var started = await admin.PostAsync($"/api/demo/origin/outage?seconds={seconds}", null);
        started.EnsureSuccessStatusCode();
    }

    public static async Task EndOutageAsync(ApiFactory api) => await StartOutageAsync(api, 0);

    public sealed record UserBody(UserBody.UserPart User)
    {
        public sealed record UserPart(int Id, string Name);
    }
}

/// <summary>
/// The demo's users behind a switch the test holds: while held, every read waits (after reading the data)
/// until released, so the origin is as slow as the test wants. Counts the reads the layer asked for.
/// </summary>
internal sealed class HeldOrigin
{
    private readonly object _lock = new();
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _waiting = NewSignal();
    private int _reads;
    private int _returned;

    /// <summary>A held read ignores its cancellation token, as a blocking driver call would.</summary>
    public bool IgnoresCancellation { get; init; }

    /// <summary>Reads the origin was asked for (<c>FindAsync</c> calls), held or not, failed or not.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Reads that have returned or thrown.</summary>
    public int Returned => Volatile.Read(ref _returned);

    /// <summary>Completes once a read is waiting at the gate since the last <see cref="Hold"/>.</summary>
    public Task ReadWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Task;
            }
        }
    }

    /// <summary>From now on every read waits until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _gate = NewSignal();
            _waiting = NewSignal();
        }
    }

    /// <summary>Lets the held reads (and every later one) through.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _gate?.TrySetResult();
            _gate = null;
        }
    }

    /// <summary>Releases the origin when disposed: declare it after the API, so a failed test does not leave a request held while the API stops.</summary>
    public IDisposable ReleasedAtEnd() => new Releaser(this);

    private sealed class Releaser(HeldOrigin origin) : IDisposable
    {
        public void Dispose() => origin.Release();
    }

    /// <summary>Registers this as the API's <see cref="IUserStore"/>, in front of the demo's in-memory one.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<InMemoryUserStore>();
        services.AddSingleton<IUserStore>(provider => new Store(this, provider.GetRequiredService<InMemoryUserStore>()));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Store(HeldOrigin origin, IUserStore inner) : IUserStore
    {
        public async Task<User?> FindAsync(int id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref origin._reads);
            try
            {
                var user = await inner.FindAsync(id, cancellationToken);
                Task? gate;
                lock (origin._lock)
                {
                    gate = origin._gate?.Task;
                    if (gate is not null)
                    {
                        origin._waiting.TrySetResult();
                    }
                }
                if (gate is not null)
                {
                    await (origin.IgnoresCancellation ? gate : gate.WaitAsync(cancellationToken));
                }
                return user;
            }
            finally
            {
                Interlocked.Increment(ref origin._returned);
            }
        }

        public Task<bool> TryRenameAsync(int id, string name, CancellationToken cancellationToken) =>
            inner.TryRenameAsync(id, name, cancellationToken);
    }
}

/// <summary>
/// <c>cachelayer.cache.stale</c> as one host records it (its own <see cref="System.Diagnostics.Metrics.IMeterFactory"/>),
/// for hosts that export no <c>/metrics</c>: counts by <c>(http.route, cachelayer.reason)</c>.
/// </summary>
internal sealed class StaleCounter : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? Route, string? Reason), long> _counts = new();

    public StaleCounter(IServiceProvider services)
    {
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CacheLayer.Cache" && instrument.Name == "cachelayer.cache.stale"
                && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? route = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "http.route")
                {
                    route = tag.Value?.ToString();
                }
                else if (tag.Key == "cachelayer.reason")
                {
                    reason = tag.Value?.ToString();
                }
            }
            _counts.AddOrUpdate((route, reason), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public IReadOnlyDictionary<(string? Route, string? Reason), long> Counts => new Dictionary<(string? Route, string? Reason), long>(_counts);

    public void Dispose() => _listener.Dispose();
}
