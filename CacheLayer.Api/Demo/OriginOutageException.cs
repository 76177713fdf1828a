namespace CacheLayer.Api.Demo;

/// <summary>What every origin call throws during a simulated outage (<c>POST /api/demo/origin/outage</c>).</summary>
public sealed class OriginOutageException(DateTimeOffset until)
    : Exception($"The demo origin is in a simulated outage until {until:O}.")
{
    public DateTimeOffset Until { get; } = until;
}
