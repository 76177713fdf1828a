using System.Globalization;
using Garnet;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>Microsoft Garnet in the test process, for machines without redis-server.</summary>
public sealed class EmbeddedGarnet(int port) : CacheServer(port)
{
    private GarnetServer? _server;

    public override string Kind => "garnet";

    protected override void Launch()
    {
        // Lua is off by default in Garnet, and its scripts are atomic only in transaction mode.
        _server = new GarnetServer(["--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--index", "16m", "--memory", "256m",
            "--lua", "--lua-transaction-mode", "-q"]);
        _server.Start();
    }

    public override Task StopAsync()
    {
        _server?.Dispose();
        _server = null;
        return Task.CompletedTask;
    }
}
