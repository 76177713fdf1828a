using CacheLayer.AspNetCore.Endpoints;
using Microsoft.Extensions.Options;

namespace CacheLayer.AspNetCore;

/// <summary>
/// Checks <see cref="CacheLayerOptions"/> at start-up; each failure names its setting and the range it
/// must lie in. Written out rather than with data annotations, which need reflection a trimmed or
/// Native AOT host does not keep.
/// </summary>
internal sealed class CacheLayerOptionsValidator : IValidateOptions<CacheLayerOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheLayerOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        Check(builder, nameof(options.KeyPrefix), options.KeyPrefix.Length, 0, 128, "characters");
        Check(builder, nameof(options.OperationTimeout), options.OperationTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
        Check(builder, nameof(options.ReplicaAckTimeout), options.ReplicaAckTimeout, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Check(builder, nameof(options.ProbeInterval), options.ProbeInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        Check(builder, nameof(options.CollapseTimeout), options.CollapseTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Check(builder, nameof(options.MaxKeyLength), options.MaxKeyLength, 32, 65_536);
        Check(builder, nameof(options.MaxVariantsPerPath), options.MaxVariantsPerPath, 1, 1_000_000);
        Check(builder, nameof(options.MaxPendingInvalidations), options.MaxPendingInvalidations, 1, 1_000_000);
        Check(builder, nameof(options.TopKeysCapacity), options.TopKeysCapacity, 1, 100_000);
        Check(builder, "OriginDirected:" + nameof(options.OriginDirected.HeuristicFraction), options.OriginDirected.HeuristicFraction, 0, 1);
        Check(builder, "OriginDirected:" + nameof(options.OriginDirected.KeepStale), options.OriginDirected.KeepStale, TimeSpan.Zero, TimeSpan.FromDays(1));
        Check(builder, "OriginDirected:" + nameof(options.OriginDirected.MaxTimeToLive), options.OriginDirected.MaxTimeToLive, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Check(builder, "MemoryTier:" + nameof(options.MemoryTier.SizeLimitBytes), options.MemoryTier.SizeLimitBytes, 1024, 64L * 1024 * 1024 * 1024);
        Check(builder, "MemoryTier:" + nameof(options.MemoryTier.MaxAge), options.MemoryTier.MaxAge, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        Check(builder, "MemoryTier:" + nameof(options.MemoryTier.MaxLag), options.MemoryTier.MaxLag, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10));
        Check(builder, "MemoryTier:" + nameof(options.MemoryTier.PollInterval), options.MemoryTier.PollInterval, TimeSpan.FromMilliseconds(5), options.MemoryTier.MaxLag / 2);
        Check(builder, nameof(options.Grace), options.Grace, TimeSpan.Zero, CachePolicy.MaxGrace);
        Check(builder, nameof(options.StaleWhileRevalidate), options.StaleWhileRevalidate, TimeSpan.Zero, CachePolicy.MaxGrace);
        Check(builder, nameof(options.OriginFailureBackoff), options.OriginFailureBackoff, TimeSpan.Zero, CachePolicy.MaxOriginTimeout);
        if (options.EagerRefreshThreshold is { } threshold && !(threshold > 0 && threshold < 1))
        {
            builder.AddError($"{CacheLayerOptions.SectionName}:{nameof(options.EagerRefreshThreshold)} is {threshold}; it must be above 0 and below 1 (a fraction of the TTL), or unset.");
        }
        Check(builder, nameof(options.OriginSoftTimeout), options.OriginSoftTimeout, TimeSpan.Zero, CachePolicy.MaxOriginTimeout);
        if (options.OriginHardTimeout != Timeout.InfiniteTimeSpan)
        {
            Check(builder, nameof(options.OriginHardTimeout), options.OriginHardTimeout, TimeSpan.FromMilliseconds(1), CachePolicy.MaxOriginTimeout);
        }
        Check(builder, nameof(options.MaxBodySizeBytes), options.MaxBodySizeBytes, 1, 256 * 1024 * 1024, "bytes");
        if (options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            builder.AddError(
                $"{CacheLayerOptions.SectionName}:{nameof(options.KeyPrefix)} '{options.KeyPrefix}' contains a brace; the layer chooses Redis Cluster hash tags itself (one per path), so a prefix needs none.");
        }
        Check(builder, nameof(options.MaxConcurrentRefreshes), options.MaxConcurrentRefreshes, 1, 100_000);
        if (options.AdminApiKey is { Length: > 0 and < 16 })
        {
            builder.AddError($"{CacheLayerOptions.SectionName}:{nameof(options.AdminApiKey)} is {options.AdminApiKey.Length} characters; an admin key needs 16 or more.");
        }
        foreach (var (policyName, policy) in options.Policies)
        {
            if (policy.Ttl <= TimeSpan.Zero || policy.Ttl > CachePolicy.MaxTimeToLive)
            {
                builder.AddError($"{CacheLayerOptions.SectionName}:{nameof(options.Policies)}:{policyName}:{nameof(policy.Ttl)} is {policy.Ttl}; it must be above 0 and at most {CachePolicy.MaxTimeToLive}.");
            }
        }
        if (options.UserKeySalt is { Length: > 0 and < 16 })
        {
            builder.AddError($"{CacheLayerOptions.SectionName}:{nameof(options.UserKeySalt)} is {options.UserKeySalt.Length} characters; a salt needs 16 or more.");
        }
        return builder.Build();
    }

    private static void Check<T>(ValidateOptionsResultBuilder builder, string setting, T value, T min, T max, string unit = "")
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            builder.AddError($"{CacheLayerOptions.SectionName}:{setting} is {value}{Unit(unit)}; it must be between {min} and {max}{Unit(unit)}.");
        }
    }

    private static string Unit(string unit) => unit.Length == 0 ? "" : " " + unit;
}
