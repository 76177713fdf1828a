using System.Diagnostics;
using System.Globalization;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// A throw-away <c>redis-server</c>: no persistence, loopback only; <paramref name="extraArguments"/>
/// add settings such as <c>--maxmemory</c> or cluster mode.
/// </summary>
public sealed class RedisServerProcess(string executable, int port, IReadOnlyList<string>? extraArguments = null) : CacheServer(port)
{
    private Process? _process;

    public override string Kind => "redis-server";

    public static string? FindExecutable(string name = "redis-server") =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// The path of <paramref name="name"/> on PATH, or an exception saying how to install it: for
    /// tests that need the real redis-server (eviction, Cluster), which Garnet cannot stand in for.
    /// </summary>
    public static string RequireExecutable(string name = "redis-server") =>
        FindExecutable(name) ?? throw new InvalidOperationException(
            $"{name} is not on PATH; this test needs it (apt-get install redis-server, which brings redis-cli). CI installs it in .ci/run.");

    protected override void Launch()
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" }
            .Concat(extraArguments ?? []))
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public override async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process?.Dispose();
        _process = null;
    }
}
