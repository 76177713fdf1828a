using CacheLayer.Api.Users;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Integration;

/// <summary>
/// The recovery tells a retryable store failure from one the store gives for good: a missed invalidation the store
/// refuses with WRONGTYPE is logged once, counted, and covered another way, and the circuit closes; it is not
/// re-queued forever.
/// </summary>
public sealed class RecoveryErrorTests(CacheServerFixture store) : ApiTest(store)
{
    [Fact]
    public async Task A_missed_invalidation_the_store_refuses_with_wrongtype_is_dropped_once_covered_otherwise_and_the_circuit_closes()
    {
        using (var warm = await Client.GetAsync("/api/users/1"))
        {
            Assert.Equal("CacheLayer; fwd=miss; stored", warm.CacheStatus());
        }
        // A write the store missed (it was away), while the invalidation log's key holds something of another type.
        var missed = CacheInvalidation.Path("GET:/api/users/1");
        Assert.True(await Api.Service<IUserStore>().TryRenameAsync(1, "Renamed while the store was away", CancellationToken.None));
        Api.Service<PendingInvalidations>().Add(missed);
        Api.Service<CacheCircuit>().Open(missed);
        await Redis.KeyDeleteAsync(new RedisLayout(Api.KeyPrefix).InvalidationLog);
        await Redis.StringSetAsync(new RedisLayout(Api.KeyPrefix).InvalidationLog, "not a sorted set");

        // The recovery service probes every ProbeInterval (the only caller: two at once could each see the other's work as done).
        await Eventually.TrueAsync(() => !Api.Service<CacheCircuit>().IsOpen, timeoutSeconds: 30);

        Assert.Single(Api.Logs.Lines, line => line.Contains("refuses the invalidation of path GET:/api/users/1", StringComparison.Ordinal));
        Assert.Equal("Renamed while the store was away", await NameAsync());
    }

    private async Task<string> NameAsync()
    {
        using var response = await Client.GetAsync("/api/users/1");
        var body = await response.Content.ReadAsStringAsync();
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("user").GetProperty("name").GetString()!;
    }
}
