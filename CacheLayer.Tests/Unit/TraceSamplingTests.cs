using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace CacheLayer.Tests.Unit;

/// <summary>
/// How many traces the service defaults keep: all in Development; elsewhere those whose caller traces them
/// and one in ten of those that start here; whatever <c>OTEL_TRACES_SAMPLER</c> says when it is set. Counted
/// on spans of an activity source only this test's host listens to, as its tracer provider decides them.
/// </summary>
public sealed class TraceSamplingTests
{
    private const int Spans = 2000;

    [Theory]
    // 10% of 2,000 is 200, with a standard deviation of 13: 120 to 280 is six of them either way.
    [InlineData("Production", null, null, 120, 280)]
    [InlineData("Development", null, null, Spans, Spans)]
    [InlineData("Production", "always_on", null, Spans, Spans)]
    [InlineData("Production", "parentbased_traceidratio", "0.5", 850, 1150)]
    [InlineData("Development", "always_off", null, 0, 0)]
    public void Traces_that_start_here_are_sampled_by_environment_unless_the_standard_variable_says(
        string environment, string? sampler, string? argument, int least, int most)
    {
        using var host = TracedHost.Start(environment, sampler, argument);

        var recorded = CountRecorded(() => host.Source.StartActivity("root"));

        Assert.InRange(recorded, least, most);
    }

    [Theory]
    [InlineData(ActivityTraceFlags.Recorded, Spans)]
    [InlineData(ActivityTraceFlags.None, 0)]
    public void Outside_development_a_request_is_traced_when_its_caller_traces_it(ActivityTraceFlags caller, int expected)
    {
        using var host = TracedHost.Start("Production", null, null);

        var recorded = CountRecorded(() => host.Source.StartActivity("request", ActivityKind.Server,
            new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), caller, isRemote: true)));

        Assert.Equal(expected, recorded);
    }

    /// <summary>A host with the service defaults' tracing, and an activity source of its application's name.</summary>
    private sealed class TracedHost(IHost host, ActivitySource source) : IDisposable
    {
        public ActivitySource Source => source;

        public static TracedHost Start(string environment, string? sampler, string? argument)
        {
            var name = $"sampling-{Guid.NewGuid():N}";
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment, ApplicationName = name });
            // Where the SDK reads them too: the host's configuration, which holds the environment's variables.
            builder.Configuration["OTEL_TRACES_SAMPLER"] = sampler;
            builder.Configuration["OTEL_TRACES_SAMPLER_ARG"] = argument;
            builder.ConfigureOpenTelemetry();
            var host = builder.Build();
            _ = host.Services.GetRequiredService<TracerProvider>();
            return new TracedHost(host, new ActivitySource(name));
        }

        public void Dispose()
        {
            source.Dispose();
            host.Dispose();
        }
    }

    private static int CountRecorded(Func<Activity?> start)
    {
        Activity.Current = null;
        var recorded = 0;
        for (var i = 0; i < Spans; i++)
        {
            using var span = start();
            recorded += span is { Recorded: true } ? 1 : 0;
        }
        return recorded;
    }
}
