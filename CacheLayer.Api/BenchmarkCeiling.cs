namespace CacheLayer.Api;

/// <summary>
/// For <c>bench/run.sh</c> only (<c>Demo:Benchmark:CeilingEndpoint=true</c>): the posts payload as
/// bytes the process already holds, with no caching work — the fastest this API could answer. Like
/// the posts list, it reads <c>?page=</c>: page 1 is the list, a later page the empty list. The same setting
/// adds MVC and the cached controller action <c>GET /bench/controller/{id}</c> (<see cref="Bench.BenchItemsController"/>).
/// </summary>
public static class BenchmarkCeiling
{
    private const string Setting = "Demo:Benchmark:CeilingEndpoint";
    private static readonly byte[] Payload = "{\"posts\":[\"Cached post A\",\"Cached post B\"]}"u8.ToArray();
    private static readonly byte[] EmptyPage = "{\"posts\":[]}"u8.ToArray();

    /// <summary>The controllers' services, for <see cref="Bench.BenchItemsController"/>, when the setting is on.</summary>
    public static WebApplicationBuilder AddBenchmarkCeiling(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>(Setting))
        {
            builder.Services.AddControllers();
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapBenchmarkCeiling(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(Setting))
        {
            endpoints.MapControllers();
            endpoints.MapGet("/bench/ceiling", (int page = 1) => TypedResults.Bytes(page == 1 ? Payload : EmptyPage, "application/json; charset=utf-8"))
                .ExcludeFromDescription();
        }
        return endpoints;
    }
}
