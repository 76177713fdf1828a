namespace CacheLayer.AppHost;

public static class OriginOutageCommandExtensions
{
    public const string CommandName = "origin-outage";
    public const int Seconds = 30;

    /// <summary>
    /// A dashboard command on <paramref name="api"/> that makes its demo origin fail for 30 s:
    /// <c>POST /api/demo/origin/outage?seconds=30</c> with <c>X-Api-Key</c> from <paramref name="adminApiKey"/>.
    /// The replicas share the outage through their SQLite origin, so one replica receiving it is enough.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOriginOutageCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminApiKey) =>
        api.WithHttpCommand(
            "/api/demo/origin/outage",
            $"Origin outage ({Seconds} s)",
            commandName: CommandName,
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Post,
                Description = $"Makes the demo origin fail for {Seconds} s on every replica: cache hits still answer, misses and writes get 503.",
                IconName = "PlugDisconnected",
                PrepareRequest = async context =>
                {
                    // The query is set here, not in the path: the path is the URI's path and would escape a '?'.
                    context.Request.RequestUri = new UriBuilder(context.Request.RequestUri!) { Query = $"seconds={Seconds}" }.Uri;
                    context.Request.Headers.Add("X-Api-Key", await adminApiKey.Resource.GetValueAsync(context.CancellationToken));
                },
            });
}
