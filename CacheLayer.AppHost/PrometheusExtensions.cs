using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

/// <summary>
/// Prometheus, run by the AppHost as an executable resource when <c>prometheus</c> is on PATH (setting
/// <c>Prometheus</c>: <c>auto</c> or <c>off</c>), on <c>http://localhost:9090</c> (setting <c>PrometheusPort</c>).
/// It scrapes every replica of the API (and of the gateway, when it runs) directly, found through a targets
/// file per project that the AppHost rewrites as replicas start and stop: through the endpoint that balances
/// over them, each scrape would reach one replica at random and the series would mix. Each project is a job
/// of its own, <c>cachelayer-{resource}</c>.
/// </summary>
public static class PrometheusExtensions
{
    public const string ResourceName = "prometheus";
    public const string ConfigurationKey = "Prometheus";
    public const string PortConfigurationKey = "PrometheusPort";
    public const int DefaultPort = 9090;
    public const string ScrapeJobPrefix = "cachelayer-";
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(5);

    /// <returns>The Prometheus resource, or null when it is off or not on PATH (said once in the start-up log).</returns>
    public static IResourceBuilder<ExecutableResource>? AddPrometheusFor(
        this IDistributedApplicationBuilder builder, params IReadOnlyList<IResourceBuilder<ProjectResource>?> projects)
    {
        var scraped = projects.OfType<IResourceBuilder<ProjectResource>>().ToList();
        var wanted = MonitoringMode.IsAuto(ConfigurationKey, builder.Configuration[ConfigurationKey]) && !builder.ExecutionContext.IsPublishMode;
        var path = wanted ? MachineTools.FindOnPath("prometheus") : null;
        var port = ParsePort(builder.Configuration[PortConfigurationKey]);
        LogAtStart(builder, path is not null
            ? $"Prometheus: on, {path} at http://localhost:{port}, scraping every replica of {string.Join(" and ", scraped.Select(project => $"'{project.Resource.Name}'"))}"
            : wanted
                ? "Prometheus: off (prometheus is not on PATH; apt-get install prometheus, or see https://prometheus.io/download)"
                : $"Prometheus: off ({ConfigurationKey}=off)");
        if (path is null)
        {
            return null;
        }

        var directory = Directory.CreateTempSubdirectory("cachelayer-prometheus-");
        var configuration = Path.Combine(directory.FullName, "prometheus.yml");
        var jobs = new List<(string Job, string TargetsFile)>();
        foreach (var project in scraped)
        {
            var name = project.Resource.Name;
            var targets = Path.Combine(directory.FullName, $"targets-{name}.json");
            PrometheusTargetsWriter.WriteEmpty(targets);
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<PrometheusTargetsWriter>(services, name, targets));
            jobs.Add((ScrapeJobPrefix + name, targets));
        }
        File.WriteAllText(configuration, Configuration(jobs));
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteQuietly(directory));
            return Task.CompletedTask;
        });

        var prometheus = builder.AddExecutable(ResourceName, path, directory.FullName,
                $"--config.file={configuration}",
                $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}")
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/-/ready")
            .WithUrls(context =>
            {
                if (context.GetEndpoint("http") is not { } http)
                {
                    return;
                }
                context.Urls.Add(new() { Url = $"{http.Url}/targets", DisplayText = "Targets", Endpoint = http });
                context.Urls.Add(new() { Url = $"{http.Url}/graph?g0.tab=0&g0.expr={Uri.EscapeDataString("sum by (http_route, cachelayer_tier) (rate(cachelayer_cache_hits_total[1m]))")}", DisplayText = "Hits per second", Endpoint = http });
            })
            .ExcludeFromManifest();
        foreach (var project in scraped)
        {
            prometheus.WithRelationship(project.Resource, "Scrapes");
        }
        return prometheus;
    }

    internal static int ParsePort(string? value, string key = PortConfigurationKey, int fallback = DefaultPort)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
        {
            return port;
        }
        throw new InvalidOperationException($"{key}='{value}' is not a TCP port from 1 to 65535.");
    }

    private static string Configuration(IEnumerable<(string Job, string TargetsFile)> jobs) => $"""
        # Written by the CacheLayer AppHost for this run; each targets file lists one project's replicas.
        global:
          scrape_interval: {ScrapeInterval.TotalSeconds}s
          evaluation_interval: {ScrapeInterval.TotalSeconds}s
        scrape_configs:

        """ + string.Concat(jobs.Select(job => $"""
          - job_name: {job.Job}
            metrics_path: /metrics
            file_sd_configs:
              - files: ["{job.TargetsFile}"]
                refresh_interval: {ScrapeInterval.TotalSeconds}s

        """));

    /// <summary>One line in the AppHost's console as it starts.</summary>
    internal static void LogAtStart(IDistributedApplicationBuilder builder, string line) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PrometheusExtensions).Namespace!).LogInformation("{Line}", line);
            return Task.CompletedTask;
        });

    private static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Prometheus still closing its database: a temp directory, left to the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
