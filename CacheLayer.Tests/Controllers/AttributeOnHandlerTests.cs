using System.Net;
using CacheLayer.Tests.Infrastructure;
using CacheLayer.Tests.MinimalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;

namespace CacheLayer.Tests.Controllers;

/// <summary>
/// README: the attributes "work on minimal-API handler methods too". A GET mapped with <c>MapGet</c> whose
/// handler method carries <c>[CacheResponse]</c> behaves as one with <c>.CacheResponse(...)</c>. An attribute cannot add
/// HEAD to a minimal-API route (the convention can): mapped for GET and HEAD, HEAD is answered from the entry.
/// </summary>
[Collection(CacheServerCollection.Name)]
public sealed class AttributeOnHandlerTests(CacheServerFixture store) : IAsyncLifetime
{
    private const string FirstItem = "{\"id\":1,\"name\":\"First item\"}";

    private readonly string _keyPrefix = $"a{Guid.NewGuid():N}"[..9] + ":";
    private WebApplication? _app;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_handler_method_with_the_attribute_is_cached_and_answers_head_from_the_entry()
    {
        using var client = await StartAsync();
        using var miss = await client.GetAsync("/attributed/1");
        using var hit = await client.GetAsync("/attributed/01");
        Assert.Equal("CacheLayer; fwd=miss; stored", miss.CacheStatus());
        Assert.Equal(FirstItem, await miss.Content.ReadAsStringAsync());
        Assert.Equal("HIT", hit.XCache());

        using var warm = await client.GetAsync("/attributed-head/1");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/attributed-head/1"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("HIT", head.XCache());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(miss.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
    }

    [CacheResponse(60, Tags = ["items"])]
    private static IResult GetItem(int id, [FromServices] ItemsBackend items) =>
        items.Find(id) is { } item ? Results.Ok(item) : Results.NotFound();

    private async Task<HttpClient> StartAsync()
    {
        var builder = TestHostBuilder.Create(store.Server.ConnectionString, _keyPrefix, "attribute-handler-admin-key-0123456789",
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning", ["CacheLayer:OperationTimeout"] = "00:00:02" },
            new ItemsBackend(), time: null);
        _app = builder.Build();
        _app.UseCacheLayer();
        _app.MapGet("/attributed/{id}", GetItem);
        _app.MapMethods("/attributed-head/{id}", [HttpMethods.Get, HttpMethods.Head], GetItem);
        await _app.StartAsync();
        await TestHostBuilder.UntilStoreConnectedAsync(_app);
        return _app.GetTestClient();
    }
}
