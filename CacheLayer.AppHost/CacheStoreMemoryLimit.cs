using System.Globalization;
using System.Text.RegularExpressions;

namespace CacheLayer.AppHost;

/// <summary>
/// How much memory the cache store may hold (configuration key <c>CacheStoreMaxMemory</c>, e.g. <c>256mb</c>):
/// past it, redis-server evicts least recently used keys (<c>allkeys-lru</c>), per node on a cluster, and
/// Garnet drops the oldest records of its log. Units are binary: <c>k</c>/<c>kb</c>, <c>m</c>/<c>mb</c>, <c>g</c>/<c>gb</c>.
/// </summary>
public sealed partial record CacheStoreMemoryLimit(long Bytes)
{
    public const string ConfigurationKey = "CacheStoreMaxMemory";
    public const string Default = "256mb";
    private const long Minimum = 1024 * 1024;

    public static CacheStoreMemoryLimit Parse(string? value)
    {
        var text = string.IsNullOrWhiteSpace(value) ? Default : value.Trim();
        var match = Size().Match(text);
        if (match.Success
            && long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && Multiplier(match.Groups["unit"].Value) is var multiplier
            && number <= long.MaxValue / multiplier
            && number * multiplier >= Minimum)
        {
            return new CacheStoreMemoryLimit(number * multiplier);
        }
        throw new InvalidOperationException(
            $"{ConfigurationKey}='{value}' is not a memory size of at least 1mb, such as 64mb, 256mb or 2gb.");
    }

    public override string ToString() => Bytes.ToString(CultureInfo.InvariantCulture);

    private static long Multiplier(string unit) => unit.ToLowerInvariant() switch
    {
        "k" or "kb" => 1L << 10,
        "m" or "mb" => 1L << 20,
        "g" or "gb" => 1L << 30,
        _ => 1,
    };

    [GeneratedRegex(@"^(?<number>\d+)\s*(?<unit>b|k|kb|m|mb|g|gb)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Size();
}
