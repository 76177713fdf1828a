using Microsoft.AspNetCore.Mvc;

namespace CacheLayer.Tests.Controllers;

// Controllers for StartupCheckTests only: ControllersApp serves them only when asked to.

/// <summary>Invalidates a template whose parameter nothing fills: no route value, query or header of that name.</summary>
[ApiController, Route("broken")]
public sealed class BrokenInvalidationController : ControllerBase
{
    [HttpPut("{id}"), InvalidatesCache("GET:/items/{nope}")]
    public IActionResult Put(int id) => NoContent();
}

/// <summary>Declares no caching at all.</summary>
[ApiController, Route("plain")]
public sealed class PlainController : ControllerBase
{
    [HttpGet("{id}")]
    public string Get(int id) => $"plain {id}";
}
