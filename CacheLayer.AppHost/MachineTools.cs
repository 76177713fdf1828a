using System.Diagnostics;

namespace CacheLayer.AppHost;

/// <summary>What the machine running the AppHost offers: executables on PATH and a container runtime that answers.</summary>
internal static class MachineTools
{
    private static readonly TimeSpan ContainerRuntimeProbeTimeout = TimeSpan.FromSeconds(5);

    public static string? FirstAnsweringContainerRuntime(string? configuredRuntime)
    {
        string[] candidates = string.IsNullOrWhiteSpace(configuredRuntime) ? ["docker", "podman"] : [configuredRuntime];
        return candidates.FirstOrDefault(ContainerRuntimeAnswers);
    }

    // `docker` can be installed without a reachable engine; only a zero exit from `info` proves one answers.
    private static bool ContainerRuntimeAnswers(string runtime)
    {
        if (FindOnPath(runtime) is not { } path)
        {
            return false;
        }

        var startInfo = new ProcessStartInfo(path, "info")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        try
        {
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return false;
            }

            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            if (!process.WaitForExit(ContainerRuntimeProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }

    public static string? FindOnPath(string command)
    {
        var fileNames = OperatingSystem.IsWindows() ? [command + ".exe", command] : new[] { command };
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        return directories
            .SelectMany(directory => fileNames.Select(fileName => Path.Combine(directory, fileName)))
            .FirstOrDefault(IsExecutableFile);
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        return OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
