using System.Diagnostics;
using System.Globalization;
using System.Text;
using CacheLayer.Tests.Infrastructure;

namespace CacheLayer.Tests.Conformance;

/// <summary>
/// One run of <c>conformance/run.sh</c> (the cache-tests suite against CacheLayer.Gateway on a redis-server of
/// its own) and of <c>conformance/check.mjs</c> on its results: exit codes and output of both.
/// </summary>
public sealed record ConformanceRun(int Replicas, ScriptResult Suite, ScriptResult? Check)
{
    // The suite takes about a minute; the gateway's cold start, the npm install and a loaded machine add to it.
    // run.sh has its own limits below this one (180 s per process start, 900 s for the suite's client).
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(1);

    public bool Passed => Suite.ExitCode == 0 && Check is { ExitCode: 0 };

    /// <summary>What a failure message shows: the checker's output, or the end of the runner's.</summary>
    public string Report() => Check is null
        ? $"conformance/run.sh --replicas {Replicas} exited {Suite.ExitCode} after {Suite.Elapsed.TotalSeconds:F0} s:\n{Suite.Tail(120)}"
        : $"conformance/run.sh --replicas {Replicas}: {Suite.Elapsed.TotalSeconds:F0} s, {Suite.Output.Trim().Split('\n')[^1]}\n"
          + $"conformance/check.mjs exited {Check.ExitCode}:\n{Check.Output}";

    /// <summary>Runs the suite against <paramref name="replicas"/> gateways (the test build of CacheLayer.Gateway), then the checker against <paramref name="baseline"/>.</summary>
    public static async Task<ConformanceRun> StartAsync(int replicas, string baseline)
    {
        var root = RepositoryRoot();
        var results = Path.Combine(root, "conformance", "out", $"test-results-{replicas}replica.json");
        Directory.CreateDirectory(Path.GetDirectoryName(results)!);   // not in a fresh clone: git ignores it
        File.Delete(results);
        var suite = await ScriptResult.RunAsync("bash",
            [Path.Combine(root, "conformance", "run.sh"), "--replicas", replicas.ToString(CultureInfo.InvariantCulture),
             "--out", results, "--gateway-dll", GatewayDll(root)],
            root, RunTimeout);
        if (suite.ExitCode != 0 || !File.Exists(results))
        {
            return new ConformanceRun(replicas, suite, null);
        }
        var check = await ScriptResult.RunAsync(RequireExecutable("node"),
            [Path.Combine(root, "conformance", "check.mjs"), results, "--baseline", Path.Combine(root, "conformance", baseline)],
            root, CheckTimeout);
        return new ConformanceRun(replicas, suite, check);
    }

    public static void RequireTools()
    {
        RedisServerProcess.RequireExecutable();
        RequireExecutable("node");
        RequireExecutable("npm");
    }

    private static string RequireExecutable(string name) =>
        RedisServerProcess.FindExecutable(name) ?? throw new InvalidOperationException(
            $"{name} is not on PATH; the conformance suite needs Node 20 and npm (apt-get install nodejs npm).");

    /// <summary>The folder holding CacheLayer.sln, above the test assembly (CacheLayer.Tests/bin/{configuration}/{tfm}/).</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CacheLayer.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No CacheLayer.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// CacheLayer.Gateway as this test run built it (the test project references it for the build order only):
    /// the same configuration and target framework as the test assembly.
    /// </summary>
    private static string GatewayDll(string root)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(root, "CacheLayer.Gateway", "bin", output.Parent!.Name, output.Name, "CacheLayer.Gateway.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException(
            $"CacheLayer.Gateway is not built at {dll}; build the solution (dotnet build CacheLayer.sln) first.");
    }
}

/// <summary>A script's exit code and its interleaved stdout and stderr.</summary>
public sealed record ScriptResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public string Tail(int lines)
    {
        var all = Output.TrimEnd().Split('\n');
        return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
    }

    /// <summary>
    /// Runs <paramref name="executable"/> to its end. Past <paramref name="timeout"/> it gets SIGTERM, so that
    /// run.sh's trap stops what it started, and 30 s later its whole process tree is killed.
    /// </summary>
    public static async Task<ScriptResult> RunAsync(string executable, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            Append(output, $"[timed out after {timeout.TotalSeconds:F0} s and was stopped]");
        }
        await process.WaitForExitAsync();   // drains the redirected output
        lock (output)
        {
            return new ScriptResult(process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }
}
