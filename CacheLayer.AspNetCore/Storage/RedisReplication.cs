using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CacheLayer.AspNetCore.Storage;

/// <summary>
/// <c>WAIT</c> for the replicas of every master the writes may have reached. Alongside the writes (no round trip of
/// its own), <c>ROLE</c> asks each connected master how many replicas are online; after them, <c>WAIT n timeout</c> on
/// that master's connection (the one the writes went through: <c>WAIT</c> counts a connection's own writes) returns
/// once its <c>n</c> replicas have acknowledged them. A master without online replicas costs the <c>ROLE</c> only.
/// A store that does not answer <c>ROLE</c> (no replication to report) is taken as one without replicas.
/// </summary>
/// <remarks>
/// <c>WAIT</c> holds the connection it is sent on, and every command behind it, until the replicas answer: about a
/// replication round trip when they are healthy, <see cref="CacheLayerOptions.ReplicaAckTimeout"/> when one is cut
/// off (and then the invalidation is deferred and this process stops reading the store anyway).
/// </remarks>
internal sealed class RedisReplication(RedisConnection redis, IOptions<CacheLayerOptions> options, TimeProvider time) : IStoreReplication
{
    private readonly TimeSpan _ackTimeout = options.Value.ReplicaAckTimeout;
    private readonly TimeSpan _roundTrip = options.Value.OperationTimeout;

    public async Task<T> ReplicatedAsync<T>(Func<Task<T>> writes)
    {
        if (_ackTimeout <= TimeSpan.Zero)
        {
            return await writes();
        }
        var multiplexer = await redis.GetAsync();
        var online = multiplexer.GetServers()
            .Where(server => server.IsConnected && !server.IsReplica)
            .Select(OnlineReplicasAsync)
            .ToArray();
        T result;
        try
        {
            result = await writes();
        }
        finally
        {
            // Never left unobserved, whatever the writes did.
            await Task.WhenAll(online);
        }
        var behind = (await Task.WhenAll(online.Select(count => AcknowledgedAsync(count.Result)))).Where(lagging => lagging is not null).ToList();
        if (behind.Count > 0)
        {
            throw new ReplicasBehindException(
                $"Not acknowledged within {_ackTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms by every online replica: {string.Join("; ", behind)}.");
        }
        return result;
    }

    /// <summary>How many replicas <paramref name="server"/> has online (0: it is no master, or does not say); never throws, the error is kept.</summary>
    private async Task<MasterReplicas> OnlineReplicasAsync(IServer server)
    {
        try
        {
            var role = await server.RoleAsync().WaitAsync(_roundTrip, time);
            return new MasterReplicas(server, role is Role.Master master ? master.Replicas.Count : 0, null);
        }
        catch (RedisServerException)
        {
            // ROLE unknown to this store: it reports no replication, so there is nothing to wait for.
            return new MasterReplicas(server, 0, null);
        }
        catch (Exception error)
        {
            return new MasterReplicas(server, 0, error);
        }
    }

    /// <summary>Null once the master's online replicas hold its writes; else what is behind.</summary>
    private async Task<string?> AcknowledgedAsync(MasterReplicas replicas)
    {
        if (replicas.Error is { } error)
        {
            throw new ReplicasBehindException($"ROLE on {replicas.Server.EndPoint} failed: {error.Message}");
        }
        if (replicas.Online == 0)
        {
            return null;
        }
        var acknowledged = (long)await replicas.Server
            .ExecuteAsync("WAIT", replicas.Online, (long)_ackTimeout.TotalMilliseconds)
            .WaitAsync(_ackTimeout + _roundTrip, time);
        return acknowledged >= replicas.Online ? null : $"{replicas.Server.EndPoint}: {acknowledged} of {replicas.Online}";
    }

    private sealed record MasterReplicas(IServer Server, int Online, Exception? Error);
}
