using System.Net;
using System.Net.Http.Json;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

public class AdminApiTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task An_admin_deletes_a_cached_key()
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        Assert.Equal(1, await CountEntriesAsync());
        using var admin = Api.CreateAdminClient();

        using var deleted = await admin.DeleteAsync("/api/cache?key=GET:/api/posts/");
        using var again = await admin.DeleteAsync("/api/cache?key=GET:/api/posts/");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("Cache key deleted", (await deleted.Content.ReadFromJsonAsync<MessageBody>())!.Message);
        Assert.False(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(0, await CountEntriesAsync());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("Cache key not found", (await again.Content.ReadFromJsonAsync<MessageBody>())!.Message);
        using var next = await Client.GetAsync("/api/posts/");
        Assert.Equal("MISS", next.XCache());
    }

    [Fact]
    public async Task Deleting_without_a_key_is_a_400_problem()
    {
        using var admin = Api.CreateAdminClient();

        using var response = await admin.DeleteAsync("/api/cache");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("key", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData(ApiFactory.AdminApiKey + "x")]
    [InlineData("test-admin-key")]
    public async Task Admin_routes_refuse_a_missing_or_wrong_key_and_change_nothing(string? key)
    {
        using var warm = await Client.GetAsync("/api/posts/");
        Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        using var client = Api.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        }

        using var delete = await client.DeleteAsync("/api/cache?key=GET:/api/posts/");
        using var stats = await client.GetAsync("/metrics/cache");

        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
        Assert.True(await IsCachedAsync("GET:/api/posts/"));
        Assert.Equal(1, await CountEntriesAsync());
        Assert.DoesNotContain(ApiFactory.AdminApiKey, await delete.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_no_admin_key_configured_admin_routes_refuse_everyone()
    {
        await using var unconfigured = new ApiFactory(Store.Server.ConnectionString, adminApiKey: null);
        using var client = unconfigured.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "");

        using var stats = await client.GetAsync("/metrics/cache");
        using var delete = await client.DeleteAsync("/api/cache?key=GET:/api/posts/");

        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Fact]
    public async Task The_admin_key_is_never_logged_or_echoed()
    {
        using var admin = Api.CreateAdminClient();
        using var wrong = Api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "guessed-key");
        var bodies = new List<string>();
        foreach (var client in new[] { admin, wrong })
        {
            foreach (var request in new[] { "/metrics/cache", "/api/cache?key=GET:/api/posts/", "/api/cache" })
            {
                using var response = request.StartsWith("/api/cache") ? await client.DeleteAsync(request) : await client.GetAsync(request);
                bodies.Add(await response.Content.ReadAsStringAsync() + response.Headers + response.Content.Headers);
            }
        }

        Assert.NotEmpty(Api.Logs.Lines);
        Assert.DoesNotContain(Api.Logs.Lines, line => line.Contains(ApiFactory.AdminApiKey) || line.Contains("guessed-key"));
        Assert.DoesNotContain(bodies, body => body.Contains(ApiFactory.AdminApiKey) || body.Contains("guessed-key"));
    }
}
