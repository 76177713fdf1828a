namespace CacheLayer.AspNetCore;

/// <summary>Settings of the cache layer, bound from the <c>CacheLayer</c> configuration section.</summary>
public sealed class CacheLayerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "CacheLayer";

    /// <summary>
    /// Prepended to every Redis key the layer writes, e.g. <c>myapp:</c>. No braces: the layer puts each path
    /// under its own Redis Cluster hash tag, which a prefix's tag would override.
    /// </summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// The key <c>X-Api-Key</c> must carry on the routes of <c>MapCacheLayerAdmin</c>, compared in fixed
    /// time. None (the default) closes those routes to everyone.
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Longest a single cache-store call may take before the request goes to the origin instead.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long an invalidation waits for the store's online replicas to hold it (Redis <c>WAIT</c>) before it counts
    /// as missed: deferred, kept and applied again (to whichever server is master by then), with this process reading
    /// the origin meanwhile, so a failover to a replica that missed it cannot bring back what it removed. A store
    /// without replicas never waits. Zero: do not wait (a failover may then serve data an invalidation removed).
    /// </summary>
    public TimeSpan ReplicaAckTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often, while the store is failing, a background probe checks whether it answers again.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a request waits for an identical request already asking the origin before asking it itself.</summary>
    public TimeSpan CollapseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest cache key, in characters; longer requests are served uncached (and counted as bypasses).</summary>
    public int MaxKeyLength { get; set; } = 1024;

    /// <summary>
    /// Most variants (query and header variants, the plain path included) stored per path. A new variant
    /// beyond it is served from the origin uncached (<c>BYPASS</c>, <c>detail=variant-limit</c>); the plain
    /// path and variants already stored are always stored; a variant counts while its entry or its grace copy lives.
    /// </summary>
    public int MaxVariantsPerPath { get; set; } = 1000;

    /// <summary>Invalidations remembered while the store is unreachable; beyond this, everything is invalidated on recovery.</summary>
    public int MaxPendingInvalidations { get; set; } = 10_000;

    /// <summary>How many distinct keys the in-memory top-keys table tracks.</summary>
    public int TopKeysCapacity { get; set; } = 1000;

    /// <summary>
    /// Largest response body the layer stores, in bytes. A larger response is sent to the client as it
    /// is written, never buffered past this size, and not stored.
    /// </summary>
    public int MaxBodySizeBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// A secret (16 characters or more) hashed with the user id into the keys of <c>varyByUser</c>
    /// endpoints, so a key never reveals or lets anyone guess whose entry it is. Required when an
    /// endpoint varies by user.
    /// </summary>
    public string? UserKeySalt { get; set; }

    /// <summary>
    /// Request headers that carry credentials, besides <c>Authorization</c> and <c>Cookie</c> (always
    /// credentials). A request with one is never served from or stored in a shared entry.
    /// </summary>
    public string[] CredentialHeaders { get; set; } = [];

    /// <summary>
    /// Query parameters that carry credentials (<c>access_token</c>, and any added here). A request
    /// with one is never served from or stored in a shared entry.
    /// </summary>
    public string[] CredentialQueryParameters { get; set; } = ["access_token"];

    /// <summary>
    /// How long a copy of each entry stays in Redis after its TTL, to answer when the origin fails or is
    /// slow (see <see cref="StaleWhileRevalidate"/>, <see cref="OriginSoftTimeout"/>). Zero keeps none.
    /// An invalidation removes the copy with the entry: an invalidated body is never served stale.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// For this long after an entry expires, a request answers from its grace copy at once and the entry is
    /// refreshed in the background, once per key at a time. Zero: the origin is always asked first.
    /// </summary>
    public TimeSpan StaleWhileRevalidate { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When a grace copy exists, how long a request waits for the origin before it answers with the copy;
    /// the origin call then finishes in the background and refreshes the entry.
    /// </summary>
    public TimeSpan OriginSoftTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest a cached miss waits for the origin: then it answers with the grace copy if there is one,
    /// else <c>504</c> (<c>application/problem+json</c>). <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the origin takes.
    /// </summary>
    public TimeSpan OriginHardTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After the origin fails (throws, answers 5xx or times out) for a key with a grace copy, how long that
    /// copy answers without the origin being asked again. Zero: every request past the
    /// <see cref="StaleWhileRevalidate"/> window asks it.
    /// </summary>
    public TimeSpan OriginFailureBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Eager refresh: a hit on an entry older than this fraction of its TTL (e.g. <c>0.9</c>) refreshes it in
    /// the background, so an entry read steadily is replaced before it expires. Null (the default): off.
    /// </summary>
    public double? EagerRefreshThreshold { get; set; }

    /// <summary>
    /// Most background refreshes (stale-while-revalidate, soft timeouts, eager refresh) running at once in this
    /// process; a request that would start one more answers from its copy and leaves the refresh to a later one.
    /// </summary>
    public int MaxConcurrentRefreshes { get; set; } = 64;

    /// <summary>
    /// Named cache policies (<c>CacheLayer:Policies:{name}:Ttl</c>, <c>:Tags</c>, <c>:Grace</c>, …), used as
    /// <c>.CacheResponse("name")</c> or <c>[CacheResponse(Policy = "name")]</c>; read at start-up.
    /// </summary>
    public Dictionary<string, CacheLayerPolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Defines the named policy <paramref name="name"/> in code, unless configuration already defines one of that
    /// name: configuration wins whole, so an operator can replace a policy without a rebuild.
    /// </summary>
    /// <param name="name">The policy's name, as given to <c>.CacheResponse(name)</c> or <c>[CacheResponse(Policy = name)]</c>.</param>
    /// <param name="configure">Sets the policy's TTL (required), tags, variants and stale settings.</param>
    /// <returns>These options.</returns>
    public CacheLayerOptions AddPolicy(string name, Action<CacheLayerPolicyOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (!Policies.ContainsKey(name))
        {
            var policy = new CacheLayerPolicyOptions();
            configure(policy);
            Policies[name] = policy;
        }
        return this;
    }

    /// <summary>The in-process copy of hot entries in front of Redis (<c>CacheLayer:MemoryTier</c>).</summary>
    public CacheLayerMemoryTierOptions MemoryTier { get; set; } = new();

    /// <summary>How responses of <c>.CacheFromOrigin()</c> endpoints are cached by their own headers (<c>CacheLayer:OriginDirected</c>).</summary>
    public CacheLayerOriginDirectedOptions OriginDirected { get; set; } = new();
}
