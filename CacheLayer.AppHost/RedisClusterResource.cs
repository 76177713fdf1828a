namespace CacheLayer.AppHost;

/// <summary>
/// A Redis Cluster of <c>redis-server</c> nodes run by Aspire (its children in the dashboard). Its
/// connection string lists every node; a client discovers the cluster from them.
/// </summary>
/// <remarks>
/// The nodes are written as <c>127.0.0.1:port</c>, the address they announce in the cluster: under
/// <c>localhost</c>, a client would keep a second connection to each node it discovers.
/// </remarks>
public sealed class RedisClusterResource(string name) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    internal List<RedisServerResource> Nodes { get; } = [];

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var expression = new ReferenceExpressionBuilder();
            for (var i = 0; i < Nodes.Count; i++)
            {
                if (i > 0)
                {
                    expression.AppendLiteral(",");
                }
                expression.AppendLiteral("127.0.0.1:");
                expression.AppendFormatted(Nodes[i].PrimaryEndpoint.Property(EndpointProperty.Port));
            }
            return expression.Build();
        }
    }
}
