namespace CacheLayer.AspNetCore.Resilience;

/// <summary>What a guarded store call gave: its value, or nothing because the store failed or timed out (<see cref="Error"/>: why, when it failed).</summary>
internal readonly record struct StoreCallResult<T>(bool Succeeded, T? Value)
{
    public static StoreCallResult<T> Failed => new(false, default);

    public Exception? Error { get; init; }
}
