using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Tests.Controllers;

// Controllers for ControllerBindingTests only: MVC ways of binding request values that a minimal API has not.

/// <summary>Binds the page from the query into a controller property, not an action parameter.</summary>
[ApiController, Route("paged")]
public sealed class PagedController(ItemsBackend items) : ControllerBase
{
    [BindProperty(SupportsGet = true)]
    public int Page { get; set; } = 1;

    [HttpGet, CacheResponse(60, Tags = ["items"])]
    public IReadOnlyList<Item> Get() => items.Page(Page);
}

/// <summary>Routed by the conventional route <c>{controller}/{action}/{id?}</c>, as MVC apps of old are.</summary>
public sealed class CatalogController(ItemsBackend items) : Controller
{
    [HttpGet, CacheResponse(60)]
    public IActionResult Item(int id) => items.Find(id) is { } item ? Ok(item) : NotFound();

    [HttpPut, InvalidatesCache("GET:/catalog/item/{id}")]
    public IActionResult Rename(int id, [FromBody] Item item)
    {
        items.Save(id, item.Name);
        return NoContent();
    }
}
