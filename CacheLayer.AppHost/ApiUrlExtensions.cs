namespace CacheLayer.AppHost;

/// <summary>The API's links on the dashboard, beside its endpoint.</summary>
public static class ApiUrlExtensions
{
    /// <summary>Scalar (the API reference, Development only), <c>/metrics</c> (Prometheus text) and <c>/health</c>.</summary>
    public static IResourceBuilder<ProjectResource> WithApiUrls(this IResourceBuilder<ProjectResource> api) =>
        api.WithUrls(context =>
        {
            if (context.GetEndpoint("http") is not { } http)
            {
                return;
            }
            foreach (var (path, text) in new[] { ("/scalar", "Scalar"), ("/metrics", "Metrics"), ("/health", "Health") })
            {
                context.Urls.Add(new() { Url = http.Url + path, DisplayText = text, Endpoint = http });
            }
        });
}
