namespace CacheLayer.AppHost;

/// <summary>
/// Grafana, run as a container when a container runtime answers and Prometheus runs (setting <c>Grafana</c>:
/// <c>auto</c> or <c>off</c>), on <c>http://localhost:3000</c> (setting <c>GrafanaPort</c>), with the
/// Prometheus data source and <c>grafana/cachelayer.json</c> provisioned and anonymous read access.
/// It uses the host's network: Prometheus listens on loopback only, which a container on a bridge network cannot reach.
/// </summary>
public static class GrafanaExtensions
{
    public const string ResourceName = "grafana";
    public const string ConfigurationKey = "Grafana";
    public const string PortConfigurationKey = "GrafanaPort";
    public const int DefaultPort = 3000;
    private const string Image = "grafana/grafana";
    private const string Tag = "12.0.0";

    public static IResourceBuilder<ContainerResource>? AddGrafanaFor(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ExecutableResource>? prometheus)
    {
        var wanted = MonitoringMode.IsAuto(ConfigurationKey, builder.Configuration[ConfigurationKey]) && !builder.ExecutionContext.IsPublishMode;
        var runtime = wanted && prometheus is not null
            ? MachineTools.FirstAnsweringContainerRuntime(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"])
            : null;
        var port = PrometheusExtensions.ParsePort(builder.Configuration[PortConfigurationKey], PortConfigurationKey, DefaultPort);
        var line = (wanted, prometheus, runtime) switch
        {
            (false, _, _) => $"Grafana: off ({ConfigurationKey}=off)",
            (_, null, _) => "Grafana: off (it reads Prometheus, which is off)",
            (_, _, null) => "Grafana: off (no container runtime, docker or podman, answered); import grafana/cachelayer.json into a Grafana of your own",
            _ => $"Grafana: on, {Image}:{Tag} through {runtime} at http://localhost:{port}",
        };
        PrometheusExtensions.LogAtStart(builder, line);
        if (prometheus is null || runtime is null)
        {
            return null;
        }

        var prometheusPort = prometheus.Resource.Annotations.OfType<EndpointAnnotation>().Single().Port!.Value;
        var grafana = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "grafana"));
        return builder.AddContainer(ResourceName, Image, Tag)
            .WithContainerRuntimeArgs("--network=host")
            .WithBindMount(Path.Combine(grafana, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(grafana, "cachelayer.json"), "/var/lib/grafana/dashboards/cachelayer.json", isReadOnly: true)
            .WithEnvironment("PROMETHEUS_URL", "http://127.0.0.1:" + prometheusPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("GF_SERVER_HTTP_ADDR", "127.0.0.1")
            .WithEnvironment("GF_SERVER_HTTP_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_USERS_VIEWERS_CAN_EDIT", "true") // Explore, without saving dashboards
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/cachelayer.json")
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/api/health")
            .WithRelationship(prometheus.Resource, "Reads")
            .WaitFor(prometheus)
            .ExcludeFromManifest();
    }
}
