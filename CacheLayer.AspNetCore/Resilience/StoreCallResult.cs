namespace CacheLayer.AspNetCore.Resilience;

/// <summary>What a guarded store call gave: its value, or nothing because the store failed or timed out.</summary>
internal readonly record struct StoreCallResult<T>(bool Succeeded, T? Value)
{
    public static StoreCallResult<T> Failed => new(false, default);
}
