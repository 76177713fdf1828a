namespace CacheLayer.Api.Caching;

/// <summary>What a guarded store call gave: its value, or nothing because the store failed or timed out.</summary>
public readonly record struct StoreCallResult<T>(bool Succeeded, T? Value)
{
    public static StoreCallResult<T> Failed => new(false, default);
}
