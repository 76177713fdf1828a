namespace CacheLayer.AspNetCore.Coherence;

/// <summary>This process among the replicas that share a store: a random id, new at every start.</summary>
internal sealed class ReplicaIdentity
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..16];
}
