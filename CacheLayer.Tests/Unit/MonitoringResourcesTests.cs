extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using apphost::CacheLayer.AppHost;

namespace CacheLayer.Tests.Unit;

/// <summary>
/// The AppHost's model (built, not started) for the <c>Prometheus</c> and <c>Grafana</c> settings: which
/// resources it adds and how. Grafana cannot run on machines without a container engine, so its wiring is
/// checked here, with a stand-in runtime that answers <c>info</c>.
/// </summary>
public class MonitoringResourcesTests
{
    [Fact]
    public async Task Prometheus_runs_from_path_on_the_configured_port_without_a_proxy()
    {
        await using var builder = await CreateAsync("Prometheus=auto", "PrometheusPort=19090", "Grafana=off");

        var prometheus = Assert.IsType<ExecutableResource>(Resource(builder, PrometheusExtensions.ResourceName));
        Assert.Equal("prometheus", Path.GetFileName(prometheus.Command));
        Assert.True(File.Exists(prometheus.Command));
        var http = Assert.Single(prometheus.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(19090, http.Port);
        Assert.False(http.IsProxied);
        Assert.Null(Resource(builder, GrafanaExtensions.ResourceName));
    }

    [Fact]
    public async Task Prometheus_off_adds_no_prometheus_and_so_no_grafana()
    {
        await using var builder = await CreateAsync("Prometheus=off", $"ASPIRE_CONTAINER_RUNTIME={AnsweringRuntime()}");

        Assert.Null(Resource(builder, PrometheusExtensions.ResourceName));
        Assert.Null(Resource(builder, GrafanaExtensions.ResourceName));
    }

    [Fact]
    public async Task Grafana_runs_when_a_container_runtime_answers_with_the_repository_provisioning_mounted()
    {
        await using var builder = await CreateAsync("Prometheus=auto", "PrometheusPort=19091", "GrafanaPort=13000", $"ASPIRE_CONTAINER_RUNTIME={AnsweringRuntime()}");

        var grafana = Assert.IsType<ContainerResource>(Resource(builder, GrafanaExtensions.ResourceName));
        Assert.Equal("grafana/grafana", Assert.Single(grafana.Annotations.OfType<ContainerImageAnnotation>()).Image);
        var mounts = grafana.Annotations.OfType<ContainerMountAnnotation>().ToList();
        Assert.Contains(mounts, mount => mount.Target == "/etc/grafana/provisioning");
        Assert.Contains(mounts, mount => mount.Target == "/var/lib/grafana/dashboards/cachelayer.json");
        Assert.All(mounts, mount => Assert.True(File.Exists(mount.Source) || Directory.Exists(mount.Source), $"{mount.Source} is missing"));
        Assert.Equal(13000, Assert.Single(grafana.Annotations.OfType<EndpointAnnotation>()).Port);

        var environment = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in grafana.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(environment);
        }
        Assert.Equal("http://127.0.0.1:19091", environment.EnvironmentVariables["PROMETHEUS_URL"]);
        Assert.Equal("13000", environment.EnvironmentVariables["GF_SERVER_HTTP_PORT"]);
    }

    [Theory]
    [InlineData("Prometheus=sometimes", "Prometheus='sometimes'")]
    [InlineData("PrometheusPort=70000", "PrometheusPort='70000'")]
    [InlineData("Grafana=yes", "Grafana='yes'")]
    public async Task A_bad_setting_stops_the_apphost_naming_it(string setting, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => { await using var builder = await CreateAsync(setting); });

        Assert.Contains(named, error.ToString());
    }

    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.CacheLayer_AppHost>(
            [.. args, "Parameters:admin-api-key=unit-test-key-0123456789abcdef", "Parameters:user-key-salt=unit-test-salt-0123456789abcdef"]);

    private static IResource? Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.SingleOrDefault(resource => resource.Name == name);

    // A container runtime stand-in: only answers `info` with success, as an engine that runs would.
    private static string AnsweringRuntime()
    {
        var directory = Directory.CreateTempSubdirectory("cachelayer-runtime-");
        var runtime = Path.Combine(directory.FullName, "docker");
        File.WriteAllText(runtime, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return runtime;
    }
}
