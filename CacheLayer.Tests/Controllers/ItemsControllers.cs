using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Tests.Controllers;

// The controllers of ControllersApp: the routes of MinimalItemsApp, declared with the attributes. Unconstrained
// {id} route parameters bound as int, as in the minimal host, so /items/abc is the app's 400 (model validation).

[ApiController, Route("items")]
public sealed class ItemsController(ItemsBackend items) : ControllerBase
{
    [HttpGet("{id}"), CacheResponse(60, Tags = ["items"])]
    public ActionResult<Item> Get(int id) => items.Find(id) is { } item ? item : NotFound();

    [HttpGet, CacheResponse(60, Tags = ["items"])]
    public IReadOnlyList<Item> List(int page = 1) => items.Page(page);

    [HttpPut("{id}"), InvalidatesCache("GET:/items/{id}")]
    public IActionResult Put(int id, Item item)
    {
        items.Save(id, item.Name);
        return NoContent();
    }

    /// <summary>The id comes from the query here: the template's <c>{id}</c> is filled from a bound query parameter.</summary>
    [HttpDelete, InvalidatesCache("GET:/items/{id}")]
    public IActionResult Delete([FromQuery] int id) => items.Remove(id) ? NoContent() : NotFound();

    [HttpPost, InvalidatesCacheTags("items")]
    public IActionResult Post(Item item)
    {
        var created = items.Add(item.Name);
        return CreatedAtAction(nameof(Get), new { id = created.Id }, created);
    }
}

[ApiController]
public sealed class VariantsController(ItemsBackend items) : ControllerBase
{
    /// <summary>Reads the header itself (as controllers can): declared in <c>VaryByHeaders</c>.</summary>
    [HttpGet("greeting"), CacheResponse(60, VaryByHeaders = ["X-Region"])]
    public string Greeting() => items.Greeting(Request.Headers["X-Region"]);

    [HttpGet("me"), CacheResponse(60, VaryByUser = true)]
    public string Me() => items.Me(User.Identity?.IsAuthenticated == true ? User.Identity.Name : null);

    [HttpGet("graced/{id}"), CacheResponse(1, GraceSeconds = 60, StaleWhileRevalidateSeconds = 0)]
    public ActionResult<Item> Graced(int id) => items.Graced(id) is { } item
        ? item
        : Problem("The test origin failed.", statusCode: items.GracedStatus == 200 ? 404 : items.GracedStatus);

    [HttpGet("private/{id}"), CacheResponse(60)]
    public string Private(int id)
    {
        Response.Headers.CacheControl = "private, max-age=60";
        return items.Private(id);
    }

    [HttpGet("cookie/{id}"), CacheResponse(60)]
    public string Cookie(int id)
    {
        Response.Cookies.Append("session", "abc");
        return items.Cookie(id);
    }
}
