using System.Net;
using CacheLayer.Tests.Infrastructure;
using StackExchange.Redis;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// Nothing grows that a client controls (layout v3): no Redis key is created for a response that is not stored.
/// Every key under the test's prefix is counted with SCAN (in the test only) before and after.
/// </summary>
public sealed class KeyGrowthTests(CacheServerFixture store) : ApiTest(store)
{
    private const int UnknownIds = 2_000;

    [Fact]
    public async Task Gets_of_unknown_ids_bad_ids_bypasses_and_private_requests_leave_the_key_count_unchanged()
    {
        // Warm: a stored entry (its path's generation and the tag's exist), the statistics and the log.
        using (var known = await Client.GetAsync("/api/users/1"))
        {
            Assert.Equal("CacheLayer; fwd=miss; stored", known.CacheStatus());
        }
        using (var warm404 = await Client.GetAsync("/api/users/99999"))
        {
            Assert.Equal(HttpStatusCode.NotFound, warm404.StatusCode);
        }
        // The statistics publisher writes its keys within a second of start.
        await Eventually.TrueAsync(() => Redis.KeyExists($"{{{Api.KeyPrefix}__cachelayer:stats}}replicas"), timeoutSeconds: 30);
        var before = await StableKeyCountAsync();

        await Parallel.ForEachAsync(Enumerable.Range(100_000, UnknownIds), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, token) =>
        {
            using var response = await Client.GetAsync($"/api/users/{id}", token);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        });
        foreach (var path in new[] { "/api/users/abc", "/api/users/0", "/api/posts/?page=0", "/api/posts/?page=3&nocache=true" })
        {
            using var response = await Client.GetAsync(path);
            Assert.NotEqual("CacheLayer; fwd=miss; stored", response.CacheStatus());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/2"))
        {
            request.Headers.Authorization = new("Bearer", "someone");
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before, await StableKeyCountAsync());
    }

    /// <summary>Every key under this test's prefix, once two counts in a row agree (background writes such as statistics settle).</summary>
    private async Task<List<string>> StableKeyCountAsync()
    {
        List<string> last = [];
        await Eventually.TrueAsync(() =>
        {
            var now = KeysAsync().GetAwaiter().GetResult();
            var same = now.Count == last.Count && now.All(last.Contains);
            last = now;
            return same;
        }, timeoutSeconds: 30);
        return [.. last.Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        foreach (var pattern in new[] { Glob(Api.KeyPrefix) + "*", "{" + Glob(Api.KeyPrefix) + "*" })
        {
            await foreach (var key in Store.RedisServer.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                keys.Add(key.ToString());
            }
        }
        return keys;
    }

    private static string Glob(string text) => string.Concat(text.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? $"\\{c}" : c.ToString()));
}
