using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.MinimalHost;

/// <summary>
/// The key is what the handler reads (<see cref="KeyRulesApp"/>, against the real store): bound query
/// names matched as binding matches them, <c>varyByQuery</c>, header normalizers, and the start-up check.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class KeyRulesTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string Stored = "CacheLayer; fwd=miss; stored";

    private readonly string _keyPrefix = $"k{Guid.NewGuid():N}"[..9] + ":";
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        _app = await KeyRulesApp.StartAsync(store.Server.ConnectionString, _keyPrefix);
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private HttpClient Client => _client!;

    private Task<bool> IsCachedAsync(string key) => store.Redis.KeyExistsAsync(new RedisLayout(_keyPrefix).EntryKeyOf(CacheKey.PathOf(key), key));

    [Fact]
    public async Task A_bound_name_in_any_ascii_case_shares_one_entry_under_the_declared_name()
    {
        using var lower = await Client.GetAsync("/things?kind=x");
        using var upper = await Client.GetAsync("/things?KIND=x");

        Assert.Equal(Stored, lower.CacheStatus());
        Assert.Equal("HIT", upper.XCache());
        Assert.Equal("kind=x", await upper.Content.ReadAsStringAsync());
        Assert.True(await IsCachedAsync("GET:/things?kind=x"));
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task The_kelvin_sign_spelling_binding_ignores_is_not_stored_as_kind()
    {
        // U+212A is not "K" to binding (ordinal ignoring case), but ToLowerInvariant makes it "k".
        using var kelvin = await Client.GetAsync("/things?%E2%84%AAind=x");
        Assert.Equal("kind=none", await kelvin.Content.ReadAsStringAsync());
        Assert.Equal(Stored, kelvin.CacheStatus());
        Assert.False(await IsCachedAsync("GET:/things?kind=x"));
        Assert.True(await IsCachedAsync("GET:/things"));

        using var real = await Client.GetAsync("/things?kind=x");

        Assert.Equal("MISS", real.XCache());
        Assert.Equal("kind=x", await real.Content.ReadAsStringAsync());
        Assert.Equal(2, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task A_parameter_the_handler_does_not_bind_is_a_hit_on_the_plain_entry()
    {
        using var warm = await Client.GetAsync("/things?kind=x");
        Assert.Equal(Stored, warm.CacheStatus());

        using var tracked = await Client.GetAsync("/things?kind=x&utm_source=mail&fbclid=abc");

        Assert.Equal("HIT", tracked.XCache());
        Assert.Equal(1, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task A_wildcard_splits_the_key_by_every_parameter()
    {
        using var one = await Client.GetAsync("/raw?a=1");
        using var oneAgain = await Client.GetAsync("/raw?A=1");
        using var two = await Client.GetAsync("/raw?a=2");
        using var extra = await Client.GetAsync("/raw?a=1&b=3");

        Assert.Equal(Stored, one.CacheStatus());
        Assert.Equal("HIT", oneAgain.XCache());
        Assert.Equal(Stored, two.CacheStatus());
        Assert.Equal("a=2", await two.Content.ReadAsStringAsync());
        Assert.Equal(Stored, extra.CacheStatus());
        Assert.Equal("a=1,b=3", await extra.Content.ReadAsStringAsync());
        Assert.True(await IsCachedAsync("GET:/raw?a=1&b=3"));
        Assert.Equal(3, await store.CountEntriesAsync(_keyPrefix));

        // Only ASCII letters are lower-cased: the Kelvin-sign name stays its own entry, apart from kind.
        using var kelvin = await Client.GetAsync("/raw?%E2%84%AAind=x");
        using var kind = await Client.GetAsync("/raw?kind=x");
        Assert.Equal(Stored, kind.CacheStatus());
        Assert.Equal("kind=x", await kind.Content.ReadAsStringAsync());
        Assert.Equal(5, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task A_custom_normalizer_keys_by_its_value_and_null_shares_the_default_entry()
    {
        using var gold = await SendAsync("/plan", ("X-Plan", "gold"));
        using var goldSpelled = await SendAsync("/plan", ("X-Plan", " GOLD "));
        using var none = await SendAsync("/plan");
        using var other = await SendAsync("/plan", ("X-Plan", "platinum-" + Guid.NewGuid()));

        Assert.Equal(Stored, gold.CacheStatus());
        Assert.Equal("HIT", goldSpelled.XCache());
        Assert.Equal("gold", await goldSpelled.Content.ReadAsStringAsync());
        Assert.Equal(Stored, none.CacheStatus());
        Assert.Equal("HIT", other.XCache());
        Assert.Equal("basic", await other.Content.ReadAsStringAsync());
        Assert.Contains("X-Plan", gold.Headers.Vary);
        Assert.True(await IsCachedAsync("GET:/plan|x-plan=gold"));
        Assert.Equal(2, await store.CountEntriesAsync(_keyPrefix));
    }

    [Fact]
    public async Task A_handler_reading_the_request_without_varyByQuery_stops_the_app_at_start_up()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => KeyRulesApp.StartAsync(
            store.Server.ConnectionString, _keyPrefix,
            app => app.MapGet("/search", (HttpContext context) => context.Request.Query["q"].ToString()).CacheResponse(TimeSpan.FromMinutes(1))));

        Assert.Contains("'/search'", failure.Message);
        Assert.Contains("varyByQuery", failure.Message);
    }

    [Fact]
    public async Task A_handler_reading_the_request_with_declared_query_names_starts_and_keys_by_them()
    {
        await using var app = await KeyRulesApp.StartAsync(
            store.Server.ConnectionString, _keyPrefix,
            app => app.MapGet("/search", (HttpContext context) => context.Request.Query["q"].ToString())
                .CacheResponse(TimeSpan.FromMinutes(1), varyByQuery: ["q"]));
        using var client = app.GetTestClient();

        using var first = await client.GetAsync("/search?q=a&utm_source=x");
        using var second = await client.GetAsync("/search?Q=a");

        Assert.Equal(Stored, first.CacheStatus());
        Assert.Equal("HIT", second.XCache());
        Assert.True(await IsCachedAsync("GET:/search?q=a"));
        await app.StopAsync();
    }

    private Task<HttpResponseMessage> SendAsync(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Client.SendAsync(request);
    }
}
