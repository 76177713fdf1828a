using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration;

/// <summary>A fresh API (own data, own key prefix) per test, against the shared store; on a fake clock if given one.</summary>
[Collection(CacheServerCollection.Name)]
public abstract class ApiTest(CacheServerFixture store, Dictionary<string, string>? settings = null, FakeTimeProvider? clock = null) : IAsyncLifetime
{
    protected CacheServerFixture Store { get; } = store;

    protected ApiFactory Api { get; } = new(store.Server.ConnectionString, time: clock) { Settings = settings ?? [] };

    protected FakeTimeProvider Clock => clock ?? throw new InvalidOperationException("This test's API runs on the real clock.");

    // No cookie jar: a cookie the API sets must not make later requests private.
    protected HttpClient Client => _client ??= Api.CreateClient(new() { HandleCookies = false });

    private HttpClient? _client;

    protected IDatabase Redis => Store.Redis;

    protected Task<bool> IsCachedAsync(string cacheKey) => Redis.KeyExistsAsync(Api.RedisKey(cacheKey));

    /// <summary>Cache entries under this test's key prefix, counted with SCAN; bookkeeping keys excluded.</summary>
    protected Task<int> CountEntriesAsync() => Store.CountEntriesAsync(Api.KeyPrefix);

    protected async Task<string> NameOfUserAsync(int id)
    {
        using var response = await Client.GetAsync($"/api/users/{id}?nocache=true");
        var body = await response.Content.ReadFromJsonAsync<UserBody>();
        return body!.User.Name;
    }

    public Task InitializeAsync() => Api.WaitUntilStoreConnectedAsync();

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await Api.DisposeAsync();
    }

    protected sealed record UserBody(UserBody.UserPart User)
    {
        public sealed record UserPart(int Id, string Name);
    }

    protected sealed record PostsBody(string[] Posts);

    protected sealed record MessageBody(string Message);
}
