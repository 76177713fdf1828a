using System.Globalization;
using Garnet;

namespace CacheLayer.AppHost;

/// <summary>A Garnet server embedded in the AppHost process, listening on loopback.</summary>
public sealed class GarnetResource(string name, int port) : Resource(name), IResourceWithConnectionString
{
    public const string Host = "127.0.0.1";

    public int Port { get; } = port;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}");

    internal GarnetServer? Server { get; set; }
}
