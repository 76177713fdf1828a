namespace CacheLayer.AppHost;

/// <summary>
/// Dashboard commands on the <c>api</c> resource that call its admin routes with the generated admin key,
/// so the user never copies the key. A command reaches one replica; invalidations go through Redis and the
/// invalidation log, so every replica sees them.
/// </summary>
public static class AdminCommandExtensions
{
    public const string FlushCommandName = "cache-flush";
    public const string OutageCommandName = "origin-outage";
    public const int OutageSeconds = 30;

    /// <summary>"Flush cache": <c>DELETE /api/cache?prefix=GET:</c>, every key the layer stored (only GETs are cached).</summary>
    public static IResourceBuilder<ProjectResource> WithCacheFlushCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Delete, "/api/cache", "prefix=GET:", FlushCommandName, "Flush cache", new HttpCommandOptions
        {
            Description = "Deletes every cached response on every replica; the next request for each is a miss.",
            ConfirmationMessage = "Delete every cached response?",
            IconName = "Delete",
        });

    /// <summary>"Origin outage (30 s)": <c>POST /api/demo/origin/outage?seconds=30</c>; the replicas share it through their SQLite origin.</summary>
    public static IResourceBuilder<ProjectResource> WithOriginOutageCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithAdminCommand(adminApiKey, HttpMethod.Post, "/api/demo/origin/outage", $"seconds={OutageSeconds}", OutageCommandName,
            $"Origin outage ({OutageSeconds} s)", new HttpCommandOptions
            {
                Description = $"Makes the demo origin fail for {OutageSeconds} s on every replica: hits still answer, expired entries answer from their grace copy, the rest get 503.",
                IconName = "PlugDisconnected",
            });

    private static IResourceBuilder<ProjectResource> WithAdminCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey, HttpMethod method, string path, string query,
        string name, string displayName, HttpCommandOptions options)
    {
        options.Method = method;
        options.PrepareRequest = async context =>
        {
            // The query is set here, not in the path: the path is the URI's path and would escape a '?'.
            context.Request.RequestUri = new UriBuilder(context.Request.RequestUri!) { Query = query }.Uri;
            context.Request.Headers.Add("X-Api-Key", await adminApiKey.Resource.GetValueAsync(context.CancellationToken));
        };
        return api.WithHttpCommand(path, displayName, commandName: name, commandOptions: options);
    }
}
