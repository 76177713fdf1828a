using CacheLayer.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Api.Bench;

/// <summary>
/// For <c>bench/run.sh</c> only (<c>Demo:Benchmark:CeilingEndpoint=true</c>, see <see cref="BenchmarkCeiling"/>): a
/// controller action cached by the attribute, so the table has a hit through an MVC endpoint. Item 1's body is
/// <c>{"id":1,"name":"Cached item A, controller"}</c>, 43 bytes like the posts list.
/// </summary>
[ApiController, ApiExplorerSettings(IgnoreApi = true)]
public sealed class BenchItemsController : ControllerBase
{
    [HttpGet("/bench/controller/{id:int}"), CacheResponse(300)]
    public BenchItem Get(int id) => new(id, "Cached item A, controller");
}

public sealed record BenchItem(int Id, string Name);
