namespace CacheLayer.Api;

/// <summary>
/// For <c>bench/run.sh</c> only (<c>Demo:Benchmark:CeilingEndpoint=true</c>): the posts payload as
/// bytes the process already holds, with no caching work — the fastest this API could answer. Like
/// the posts list, it reads <c>?page=</c>: page 1 is the list, a later page the empty list.
/// </summary>
public static class BenchmarkCeiling
{
    private static readonly byte[] Payload = "{\"posts\":[\"Cached post A\",\"Cached post B\"]}"u8.ToArray();
    private static readonly byte[] EmptyPage = "{\"posts\":[]}"u8.ToArray();

    public static IEndpointRouteBuilder MapBenchmarkCeiling(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>("Demo:Benchmark:CeilingEndpoint"))
        {
            endpoints.MapGet("/bench/ceiling", (int page = 1) => TypedResults.Bytes(page == 1 ? Payload : EmptyPage, "application/json; charset=utf-8"))
                .ExcludeFromDescription();
        }
        return endpoints;
    }
}
