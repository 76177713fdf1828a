using System.Net;
using System.Net.Sockets;

namespace CacheLayer.AppHost;

internal static class FreeLoopbackPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><paramref name="count"/> distinct free ports.</summary>
    public static int[] Next(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(Next());
        }
        return [.. ports];
    }
}
