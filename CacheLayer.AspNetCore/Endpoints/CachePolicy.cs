namespace CacheLayer.AspNetCore.Endpoints;

/// <summary>How one GET endpoint is cached; also its endpoint metadata.</summary>
/// <param name="TimeToLive">How long a stored 200 response is served.</param>
/// <param name="Tags">Names a write or an admin can invalidate the endpoint's entries by.</param>
/// <param name="VaryByHeaders">Request headers whose values split the key (e.g. <c>Accept-Language</c>).</param>
/// <param name="VaryByUser">
/// Each authenticated user gets their own entry, keyed by a hash of their identity. Without it,
/// requests carrying credentials (<c>Authorization</c> or a cookie) are never cached.
/// </param>
internal sealed record CachePolicy(TimeSpan TimeToLive, IReadOnlyList<string> Tags, IReadOnlyList<string> VaryByHeaders, bool VaryByUser)
{
    /// <summary>The longest TTL an endpoint may ask for; bookkeeping that outlives entries is kept this long.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(1);

    /// <summary>The <c>Vary</c> response header these variants call for, built once.</summary>
    public string VaryHeader { get; } = string.Join(", ", VaryByHeaders);

    /// <summary>The varied headers as they appear in keys: lower case, in ordinal order; built once.</summary>
    public IReadOnlyList<(string Name, string KeyName)> VaryKeyNames { get; } =
        [.. VaryByHeaders.Select(name => (name, name.ToLowerInvariant())).OrderBy(pair => pair.Item2, StringComparer.Ordinal)];
}
