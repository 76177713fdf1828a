namespace CacheLayer.AppHost;

/// <summary>
/// The caching gateway (<c>CacheLayer.Gateway</c>), run by the AppHost as resource <c>gateway</c> when the setting
/// <c>Gateway</c> is <c>on</c> (<c>off</c>, the default, leaves it out). It proxies to the demo API's endpoint, or to
/// the absolute http(s) URL of the setting <c>GatewayOrigin</c>, caching what the origin's headers allow, on the
/// same store as the API under a key prefix of its own.
/// </summary>
public static class GatewayExtensions
{
    public const string ResourceName = "gateway";
    public const string ConfigurationKey = "Gateway";
    public const string OriginConfigurationKey = "GatewayOrigin";

    /// <summary>The YARP destination the gateway's <c>appsettings.json</c> names: cluster <c>origin</c>, destination <c>d1</c>.</summary>
    public const string DestinationVariable = "ReverseProxy__Clusters__origin__Destinations__d1__Address";

    /// <summary>
    /// Prepended to the gateway's Redis keys: its entries, invalidation log and statistics stay apart from the API's
    /// on the one store (a proxied <c>GET /api/posts/</c> is not the API's own entry for that path).
    /// </summary>
    public const string KeyPrefix = "gateway:";

    /// <returns>The gateway, or null when <c>Gateway</c> is off (said once in the start-up log).</returns>
    public static IResourceBuilder<ProjectResource>? AddGatewayFor(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> api,
        IResourceBuilder<IResourceWithConnectionString> cache,
        IResourceBuilder<ParameterResource> adminApiKey)
    {
        var on = IsOn(builder.Configuration[ConfigurationKey]);
        var origin = on ? ParseOrigin(builder.Configuration[OriginConfigurationKey]) : null;
        PrometheusExtensions.LogAtStart(builder, !on
            ? $"Gateway: off ({ConfigurationKey}=on runs it{(string.IsNullOrWhiteSpace(builder.Configuration[OriginConfigurationKey]) ? "" : $"; {OriginConfigurationKey} is ignored")})"
            : $"Gateway: on, in front of {(origin is null ? $"'{api.Resource.Name}'" : origin.AbsoluteUri)}");
        if (!on)
        {
            return null;
        }

        var gateway = builder.AddProject<Projects.CacheLayer_Gateway>(ResourceName)
            .WithReference(cache)
            .WaitFor(cache)
            .WithEnvironment("CacheLayer__AdminApiKey", adminApiKey)
            .WithEnvironment("CacheLayer__KeyPrefix", KeyPrefix)
            .WithHttpHealthCheck("/health")
            .WithUrls(context =>
            {
                if (context.GetEndpoint("http") is not { } http)
                {
                    return;
                }
                foreach (var (path, text) in new[] { ("/metrics", "Metrics"), ("/health", "Health") })
                {
                    context.Urls.Add(new() { Url = http.Url + path, DisplayText = text, Endpoint = http });
                }
            });

        if (origin is null)
        {
            // The endpoint that balances over the API's replicas, as a client of the API would call it.
            gateway.WithEnvironment(DestinationVariable, api.GetEndpoint("http"))
                .WithReference(api)
                .WaitFor(api);
        }
        else
        {
            gateway.WithEnvironment(DestinationVariable, origin.AbsoluteUri);
        }

        // As for the API: a store timeout given to the AppHost reaches the gateway too.
        if (builder.Configuration["CacheLayer:OperationTimeout"] is { Length: > 0 } timeout)
        {
            gateway.WithEnvironment("CacheLayer__OperationTimeout", timeout);
        }
        return gateway;
    }

    /// <returns>True for <c>on</c>, false for <c>off</c> or nothing.</returns>
    public static bool IsOn(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "off" => false,
        "on" => true,
        _ => throw new InvalidOperationException($"{ConfigurationKey}='{value}' is not one of: off, on."),
    };

    /// <returns>The origin's absolute http(s) URL, or null (nothing set) for the demo API.</returns>
    public static Uri? ParseOrigin(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var origin)
            && (origin.Scheme == Uri.UriSchemeHttp || origin.Scheme == Uri.UriSchemeHttps)
            && origin.Host.Length > 0 && origin.Query.Length == 0 && origin.Fragment.Length == 0 && origin.UserInfo.Length == 0)
        {
            return origin;
        }
        throw new InvalidOperationException(
            $"{OriginConfigurationKey}='{value}' is not an absolute http or https URL without query or credentials (e.g. http://127.0.0.1:8000/).");
    }
}
