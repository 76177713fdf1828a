using System.Globalization;

namespace CacheLayer.AppHost;

/// <summary>How many replicas of the API the AppHost runs behind its one endpoint (configuration key <c>ApiReplicas</c>).</summary>
public static class ApiReplicaCount
{
    public const string ConfigurationKey = "ApiReplicas";
    public const int Default = 2;
    public const int Maximum = 16;

    public static int Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= Maximum)
        {
            return count;
        }
        throw new InvalidOperationException($"{ConfigurationKey}='{value}' is not a whole number of replicas from 1 to {Maximum}.");
    }
}
