namespace CacheLayer.Api;

/// <summary>
/// For <c>bench/run.sh</c> only (<c>Demo:Benchmark:CeilingEndpoint=true</c>): the posts payload as
/// bytes the process already holds, with no caching work — the fastest this API could answer.
/// </summary>
public static class BenchmarkCeiling
{
    private static readonly byte[] Payload = "{\"posts\":[\"Cached post A\",\"Cached post B\"]}"u8.ToArray();

    public static IEndpointRouteBuilder MapBenchmarkCeiling(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>("Demo:Benchmark:CeilingEndpoint"))
        {
            endpoints.MapGet("/bench/ceiling", () => TypedResults.Bytes(Payload, "application/json; charset=utf-8"))
                .ExcludeFromDescription();
        }
        return endpoints;
    }
}
