using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Nothing private in a shared entry: responses that set a cookie (even as they start), that the
/// handler marks private or no-store, that answer credentials, or that belong to a user without a
/// stable id are never stored or shared; a handler's own Cache-Control is kept; large bodies stream.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class PrivateResponseTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string LateCookieHeader = "X-Late-Cookie";
    private const string Salt = "private-response-tests-salt-0123";

    private readonly string _prefix = $"p{Guid.NewGuid():N}"[..9] + ":";
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private HttpClient? _client;

    private HttpClient Client => _client ??= (_app ?? throw new InvalidOperationException("Not started.")).GetTestClient();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_cookie_another_middleware_adds_as_the_response_starts_keeps_it_out_of_the_cache()
    {
        await StartAsync();
        await AssertStoredAsync("/public/1");

        using var cookie = await GetAsync("/public/2", (LateCookieHeader, "1"));

        Assert.Equal(HttpStatusCode.OK, cookie.StatusCode);
        Assert.True(cookie.Headers.Contains("Set-Cookie"));
        Assert.Equal("CacheLayer; fwd=miss; detail=set-cookie", cookie.CacheStatus());
        Assert.Equal(1, await EntriesAsync());
        using var next = await GetAsync("/public/2");
        Assert.Equal("CacheLayer; fwd=miss; stored", next.CacheStatus());
        Assert.False(next.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Collapsed_waiters_never_get_a_leader_response_that_sets_a_cookie()
    {
        await StartAsync();
        using var admin = AdminClient();

        var leader = GetAsync("/gated", (LateCookieHeader, "1"));
        await WaitForMissesAsync(admin, 1);
        var followers = Enumerable.Range(0, 4).Select(_ => GetAsync("/gated")).ToList();
        await WaitForMissesAsync(admin, 5);
        _gate.SetResult();

        using var led = await leader;
        Assert.True(led.Headers.Contains("Set-Cookie"));
        Assert.Equal("CacheLayer; fwd=miss; detail=set-cookie", led.CacheStatus());
        foreach (var follower in await Task.WhenAll(followers))
        {
            using (follower)
            {
                Assert.Equal(HttpStatusCode.OK, follower.StatusCode);
                Assert.False(follower.Headers.Contains("Set-Cookie"));
                Assert.DoesNotContain("collapsed", follower.CacheStatus());
            }
        }
        Assert.Equal(0, await EntriesAsync());
    }

    [Theory]
    [InlineData("/private", "max-age=60, private")] // as HttpClient formats "private, max-age=60"
    [InlineData("/no-store", "no-store")]
    public async Task A_response_the_handler_marks_private_or_no_store_is_not_stored(string path, string cacheControl)
    {
        await StartAsync();
        await AssertStoredAsync("/public/1");

        using var first = await GetAsync(path);
        using var second = await GetAsync(path);

        Assert.Equal("CacheLayer; fwd=miss; detail=private", first.CacheStatus());
        Assert.Equal("MISS", second.XCache());
        Assert.Equal(cacheControl, second.Headers.CacheControl?.ToString());
        Assert.Equal(1, await EntriesAsync());
    }

    [Fact]
    public async Task The_handlers_own_cache_control_is_kept_on_hits()
    {
        await StartAsync();

        using var miss = await GetAsync("/public/1");
        using var hit = await GetAsync("/public/1");

        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("public, max-age=30", miss.Headers.CacheControl?.ToString());
        Assert.Equal("public, max-age=30", hit.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("/public/1?access_token=secret", null, null)]
    [InlineData("/public/1?ACCESS_TOKEN=secret", null, null)]
    [InlineData("/public/1", "X-Api-Token", "secret")]
    [InlineData("/public/1", "Authorization", "Bearer secret")]
    public async Task Credentials_in_a_configured_header_or_query_parameter_bypass_the_cache(string path, string? header, string? value)
    {
        await StartAsync();
        await AssertStoredAsync("/public/1");

        using var response = header is null ? await GetAsync(path) : await GetAsync(path, (header, value!));

        Assert.Equal("BYPASS", response.XCache());
        Assert.Equal("CacheLayer; fwd=bypass; detail=private", response.CacheStatus());
        Assert.Equal(1, await EntriesAsync());
    }

    [Fact]
    public async Task A_user_without_a_stable_id_is_not_cached_and_per_user_keys_hash_the_id_with_the_salt()
    {
        await StartAsync();

        using var noId = await GetAsync("/me", ("Authorization", "Test noid:alice"));
        using var withId = await GetAsync("/me", ("Authorization", "Test alice"));
        using var again = await GetAsync("/me", ("Authorization", "Test alice"));

        Assert.Equal("CacheLayer; fwd=bypass; detail=no-user-id", noId.CacheStatus());
        Assert.Equal("CacheLayer; fwd=miss; stored", withId.CacheStatus());
        Assert.Equal("HIT", again.XCache());
        var key = CacheServerFixture.CacheKeyOf(Assert.Single(await EntryKeysAsync()), _prefix);
        Assert.DoesNotContain("alice", key);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Salt), System.Text.Encoding.UTF8.GetBytes($"Test\n{System.Security.Claims.ClaimsIdentity.DefaultIssuer}\nalice")).AsSpan(0, 16));
        Assert.Equal($"GET:/me|user={expected}", key);
    }

    [Fact]
    public async Task Caching_per_user_without_a_salt_is_refused()
    {
        var failure = await Record.ExceptionAsync(async () =>
        {
            await StartAsync(salt: null);
            using var response = await GetAsync("/me", ("Authorization", "Test alice"));
        });

        var refused = Assert.IsType<InvalidOperationException>(failure);
        Assert.Contains("CacheLayer:UserKeySalt", refused.Message);
        Assert.Equal(0, await EntriesAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_streamed_whole_and_not_stored()
    {
        await StartAsync();
        await AssertStoredAsync("/bytes/1000");

        using var large = await GetAsync("/bytes/5000");
        using var again = await GetAsync("/bytes/5000");

        Assert.Equal(5000, (await large.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("CacheLayer; fwd=miss; detail=too-large", large.CacheStatus());
        Assert.Equal("MISS", again.XCache());
        Assert.Equal(5000, (await again.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(1, await EntriesAsync());
    }

    private async Task StartAsync(string? salt = Salt)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:cache"] = store.Server.ConnectionString;
        builder.Configuration["CacheLayer:KeyPrefix"] = _prefix;
        builder.Configuration["CacheLayer:AdminApiKey"] = ApiFactory.AdminApiKey;
        builder.Configuration["CacheLayer:OperationTimeout"] = "00:00:02";
        builder.Configuration["CacheLayer:MemoryTier:Enabled"] = "false";
        builder.Configuration["CacheLayer:MaxBodySizeBytes"] = "2048";
        builder.Configuration["CacheLayer:CredentialHeaders:0"] = "X-Api-Token";
        if (salt is not null)
        {
            builder.Configuration["CacheLayer:UserKeySalt"] = salt;
        }
        builder.AddCacheLayer("cache");
        builder.Services.AddAuthentication(TestAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthenticationHandler>(TestAuthenticationHandler.SchemeName, _ => { });

        var app = _app = builder.Build();

        app.UseCacheLayer();
        // Stands for session or cookie-authentication middleware, which add their cookie as the response starts.
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(LateCookieHeader))
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.Append("Set-Cookie", "session=abc; HttpOnly");
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        var ttl = TimeSpan.FromMinutes(1);
        app.MapGet("/public/{id:int}", (int id, HttpResponse response) =>
        {
            response.Headers.CacheControl = "public, max-age=30";
            return $"public {id}";
        }).CacheResponse(ttl);
        app.MapGet("/private", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "private, max-age=60";
            return "private";
        }).CacheResponse(ttl);
        app.MapGet("/no-store", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "no-store";
            return "no-store";
        }).CacheResponse(ttl);
        app.MapGet("/gated", async () =>
        {
            await _gate.Task;
            return "gated";
        }).CacheResponse(ttl);
        app.MapGet("/bytes/{count:int}", (int count) => Results.Bytes(new byte[count], "application/octet-stream")).CacheResponse(ttl);
        app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => user.Identity?.Name ?? "").CacheResponse(ttl, varyByUser: true);
        app.MapCacheLayerAdmin();
        await app.StartAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await Client.SendAsync(request);
    }

    private async Task AssertStoredAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal("CacheLayer; fwd=miss; stored", response.CacheStatus());
        Assert.Equal(1, await EntriesAsync());
    }

    private HttpClient AdminClient()
    {
        var client = _app!.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AdminApiKey);
        return client;
    }

    private static Task WaitForMissesAsync(HttpClient admin, long misses) =>
        Eventually.TrueAsync(async token =>
        {
            using var statistics = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/metrics/cache", token));
            return statistics.RootElement.GetProperty("misses").GetInt64() >= misses;
        }, TimeSpan.FromSeconds(10));

    private Task<int> EntriesAsync() => store.CountEntriesAsync(_prefix);

    private Task<List<string>> EntryKeysAsync() => store.EntryKeysAsync(_prefix);
}
