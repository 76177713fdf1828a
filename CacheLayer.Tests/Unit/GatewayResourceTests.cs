extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using apphost::CacheLayer.AppHost;

namespace CacheLayer.Tests.Unit;

/// <summary>
/// The AppHost's model (built, not started) for the <c>Gateway</c> and <c>GatewayOrigin</c> settings: whether the
/// <c>gateway</c> resource is there, what it proxies to, and what it shares with the API.
/// </summary>
public class GatewayResourceTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("Gateway=off")]
    [InlineData("Gateway= Off ")]
    public async Task Without_gateway_on_there_is_no_gateway(string? setting)
    {
        await using var builder = await CreateAsync(setting is null ? [] : [setting]);

        Assert.Null(Resource(builder, GatewayExtensions.ResourceName));
        Assert.NotNull(Resource(builder, "api"));
    }

    [Fact]
    public async Task Gateway_on_proxies_to_the_api_endpoint_on_the_api_store_with_the_api_admin_key()
    {
        await using var builder = await CreateAsync("Gateway=on");

        var gateway = Assert.IsType<ProjectResource>(Resource(builder, GatewayExtensions.ResourceName));
        var api = Assert.IsType<ProjectResource>(Resource(builder, "api"));
        var environment = await EnvironmentAsync(gateway);
        var apiEnvironment = await EnvironmentAsync(api);

        var origin = Assert.IsType<EndpointReference>(environment[GatewayExtensions.DestinationVariable]);
        Assert.Same(api, origin.Resource);
        Assert.Equal("http", origin.EndpointName);
        Assert.Same(apiEnvironment["ConnectionStrings__cache"].GetType(), environment["ConnectionStrings__cache"].GetType());
        Assert.Equal("cache", ConnectionName(environment["ConnectionStrings__cache"]));
        Assert.Same(apiEnvironment["CacheLayer__AdminApiKey"], environment["CacheLayer__AdminApiKey"]);
        Assert.Equal(GatewayExtensions.KeyPrefix, environment["CacheLayer__KeyPrefix"]);
        Assert.Equal(["api", "cache"], Waits(gateway));
        Assert.Contains(gateway.Annotations.OfType<EndpointAnnotation>(), endpoint => endpoint.Name == "http");
    }

    [Fact]
    public async Task Gateway_origin_puts_any_url_behind_the_gateway_without_waiting_for_the_api()
    {
        await using var builder = await CreateAsync("Gateway=on", "GatewayOrigin=http://example.test:8080/");

        var gateway = Assert.IsType<ProjectResource>(Resource(builder, GatewayExtensions.ResourceName));
        var environment = await EnvironmentAsync(gateway);

        Assert.Equal("http://example.test:8080/", environment[GatewayExtensions.DestinationVariable]);
        Assert.Equal(["cache"], Waits(gateway));
    }

    [Fact]
    public async Task Prometheus_scrapes_the_gateway_as_a_job_of_its_own()
    {
        await using var builder = await CreateAsync("Gateway=on", "Prometheus=auto", "PrometheusPort=19092", "Grafana=off");

        var prometheus = Assert.IsType<ExecutableResource>(Resource(builder, PrometheusExtensions.ResourceName));
        var scraped = prometheus.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(relationship => relationship.Type == "Scrapes").Select(relationship => relationship.Resource.Name).Order();
        Assert.Equal(["api", "gateway"], scraped);

        var arguments = new List<object>();
        foreach (var callback in prometheus.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(arguments));
        }
        var configuration = File.ReadAllText(arguments.OfType<string>().Single(argument => argument.StartsWith("--config.file=", StringComparison.Ordinal))["--config.file=".Length..]);
        Assert.Contains("job_name: cachelayer-api", configuration);
        Assert.Contains("job_name: cachelayer-gateway", configuration);
        Assert.Contains("targets-gateway.json", configuration);
    }

    [Theory]
    [InlineData("Gateway=yes", "Gateway='yes'")]
    [InlineData("Gateway=true", "Gateway='true'")]
    [InlineData("GatewayOrigin=ftp://example.test/", "GatewayOrigin='ftp://example.test/'")]
    [InlineData("GatewayOrigin=example.test:8080", "GatewayOrigin='example.test:8080'")]
    [InlineData("GatewayOrigin=/api", "GatewayOrigin='/api'")]
    [InlineData("GatewayOrigin=http://example.test/?q=1", "GatewayOrigin='http://example.test/?q=1'")]
    public async Task A_bad_setting_stops_the_apphost_naming_it(string setting, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => { await using var builder = await CreateAsync("Gateway=on", setting); });

        Assert.Contains(named, error.ToString());
    }

    // Prometheus and Grafana off unless asked for: the last of two values would win.
    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.CacheLayer_AppHost>(
        [
            .. args,
            .. new[] { "Prometheus", "Grafana" }.Where(key => !args.Any(arg => arg.StartsWith(key + "=", StringComparison.Ordinal))).Select(key => key + "=off"),
            "Parameters:admin-api-key=unit-test-key-0123456789abcdef",
            "Parameters:user-key-salt=unit-test-salt-0123456789abcdef",
        ]);

    private static IResource? Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.SingleOrDefault(resource => resource.Name == name);

    // The values as the resource's callbacks give them, unresolved: an endpoint stays an EndpointReference.
    private static async Task<Dictionary<string, object>> EnvironmentAsync(IResource resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }

    private static string? ConnectionName(object value) => value switch
    {
        IResource resource => resource.Name,
        ConnectionStringReference reference => reference.Resource.Name,
        _ => value.ToString(),
    };

    private static string[] Waits(IResource resource) =>
        [.. resource.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name).Distinct().Order()];
}
