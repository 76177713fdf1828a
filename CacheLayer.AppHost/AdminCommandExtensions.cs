namespace CacheLayer.AppHost;

/// <summary>
/// Dashboard commands on the <c>api</c> resource that call its admin routes with the generated admin key,
/// so the user never copies the key. A command reaches one replica; invalidations go through Redis and the
/// invalidation log, so every replica sees them.
/// </summary>
public static class AdminCommandExtensions
{
    public const string FlushCommandName = "cache-flush";
    public const string EvictTagCommandName = "cache-evict-tag";
    public const string EvictPrefixCommandName = "cache-evict-prefix";
    public const string TopKeysCommandName = "cache-top-keys";
    public const string OutageCommandName = "origin-outage";
    public const string TagArgument = "tag";
    public const string PrefixArgument = "prefix";
    public const int OutageSeconds = 30;

    /// <summary>Every cache command: flush, evict a tag, evict a key prefix, top keys and hit ratio, and the demo's origin outage.</summary>
    public static IResourceBuilder<ProjectResource> WithCacheCommands(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithCacheFlushCommand(adminApiKey)
            .WithEvictTagCommand(adminApiKey)
            .WithEvictPrefixCommand(adminApiKey)
            .WithTopKeysCommand(adminApiKey)
            .WithOriginOutageCommand(adminApiKey);

    /// <summary>"Flush cache": <c>DELETE /api/cache?prefix=GET:</c>, every key the layer stored (only GETs are cached).</summary>
    public static IResourceBuilder<ProjectResource> WithCacheFlushCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Delete, "/api/cache", _ => "prefix=GET:", FlushCommandName, "Flush cache", new HttpCommandOptions
        {
            Description = "Deletes every cached response on every replica; the next request for each is a miss.",
            ConfirmationMessage = "Delete every cached response?",
            IconName = "Delete",
            GetCommandResult = AdminCommandResults.FromDeleteAsync,
        });

    /// <summary>"Evict tag": asks for a tag, then <c>DELETE /api/cache?tag=…</c>.</summary>
    public static IResourceBuilder<ProjectResource> WithEvictTagCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithEvictCommand(adminApiKey, TagArgument, EvictTagCommandName, "Evict tag", "TagDismiss",
            "Deletes every cached response stored with a tag, e.g. 'posts' or 'users'.",
            CacheArgument(TagArgument, "Tag", "posts", "Every cached response with this tag is deleted, on every replica."));

    /// <summary>"Evict key prefix": asks for a prefix, then <c>DELETE /api/cache?prefix=…</c>.</summary>
    public static IResourceBuilder<ProjectResource> WithEvictPrefixCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithEvictCommand(adminApiKey, PrefixArgument, EvictPrefixCommandName, "Evict key prefix", "FolderProhibited",
            "Deletes every cached response whose key starts with a prefix, e.g. 'GET:/api/users/'.",
            CacheArgument(PrefixArgument, "Key prefix", "GET:/api/users/", "A key is the method, ':' and the path with its query, e.g. GET:/api/users/1."));

    /// <summary>"Top keys and hit ratio": <c>GET /metrics/cache</c> (every live replica), shown as a table.</summary>
    public static IResourceBuilder<ProjectResource> WithTopKeysCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Get, "/metrics/cache", _ => "", TopKeysCommandName, "Top keys and hit ratio", new HttpCommandOptions
        {
            Description = "Shows the hit ratio, the number of cached keys and the most looked-up keys of every live replica.",
            IconName = "DataBarVertical",
            GetCommandResult = AdminCommandResults.FromStatisticsAsync,
        });

    /// <summary>"Origin outage (30 s)": <c>POST /api/demo/origin/outage?seconds=30</c>; the replicas share it through their SQLite origin.</summary>
    public static IResourceBuilder<ProjectResource> WithOriginOutageCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Post, "/api/demo/origin/outage", _ => $"seconds={OutageSeconds}", OutageCommandName,
            $"Origin outage ({OutageSeconds} s)", new HttpCommandOptions
            {
                Description = $"Makes the demo origin fail for {OutageSeconds} s on every replica: hits still answer, expired entries answer from their grace copy, the rest get 503.",
                IconName = "PlugDisconnected",
            });

    /// <summary><c>DELETE /api/cache?{argument}=…</c> with the value the dashboard asked for.</summary>
    private static IResourceBuilder<ProjectResource> WithEvictCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey, string argument, string name,
        string displayName, string icon, string description, InteractionInput input) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Delete, "/api/cache", arguments => Query(argument, arguments.GetString(argument)), name, displayName,
            new HttpCommandOptions
            {
                Description = description,
                IconName = icon,
                Arguments = [input],
                GetCommandResult = AdminCommandResults.FromDeleteAsync,
            });

    private static IResourceBuilder<ProjectResource> WithAdminCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey, HttpMethod method, string path,
        Func<InteractionInputCollection, string> query, string name, string displayName, HttpCommandOptions options)
    {
        options.Method = method;
        options.PrepareRequest = async context =>
        {
            // The query is set here, not in the path: the path is the URI's path and would escape a '?'.
            context.Request.RequestUri = new UriBuilder(context.Request.RequestUri!) { Query = query(context.Arguments) }.Uri;
            context.Request.Headers.Add("X-Api-Key", await adminApiKey.Resource.GetValueAsync(context.CancellationToken));
        };
        return api.WithHttpCommand(path, displayName, commandName: name, commandOptions: options);
    }

    // The API bounds and validates the value (a clear 400 the command shows); the dashboard only asks that it is given.
    private static InteractionInput CacheArgument(string name, string label, string placeholder, string description) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Text,
        Required = true,
        Placeholder = placeholder,
        Description = description,
        MaxLength = 1024,
    };

    private static string Query(string name, string? value) => $"{name}={Uri.EscapeDataString(value ?? "")}";
}
