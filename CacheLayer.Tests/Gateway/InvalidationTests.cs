using System.Diagnostics;
using System.Net;
using CacheLayer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CacheLayer.Tests.Gateway;

/// <summary>
/// RFC 9111 §4.4: a non-error answer to an unsafe method invalidates the target URI and the same-origin URIs in
/// its <c>Location</c> and <c>Content-Location</c>, on every gateway replica on the store.
/// </summary>
public sealed class InvalidationTests(CacheServerFixture store) : GatewayTest(store)
{
    // Replicas learn of each other's invalidations on the real clock (the log's poll and doorbell).
    protected override bool FakeClock => false;

    private void Resource(string path, int writeStatus = 204, params (string Name, string Value)[] writeHeaders)
    {
        var version = 0;
        Origin.On(path, context => context.Request.Method == "GET"
            ? TestOrigin.RespondAsync(context, 200, $"{path} v{Volatile.Read(ref version)}", ("Cache-Control", "max-age=600"))
            : WriteAsync(context));

        Task WriteAsync(Microsoft.AspNetCore.Http.HttpContext context)
        {
            if (writeStatus < 400)
            {
                Interlocked.Increment(ref version);
            }
            return TestOrigin.RespondAsync(context, writeStatus, "", writeHeaders);
        }
    }

    private async Task WarmAsync(HttpClient client, string path)
    {
        using var warm = await GetAsync(client, path);
        using var hit = await GetAsync(client, path);
        Assert.True(hit.XCache() == "HIT", $"{path}: {Describe(hit)}");
    }

    [Theory]
    [InlineData("PUT", 204)]
    [InlineData("POST", 200)]
    [InlineData("PATCH", 200)]
    [InlineData("DELETE", 204)]
    [InlineData("POST", 303)]
    public async Task A_successful_unsafe_request_invalidates_its_URL(string method, int status)
    {
        Resource("/inv/item", status);
        await WarmAsync(Client, "/inv/item");

        using var write = await SendAsync(new HttpMethod(method), "/inv/item");
        using var read = await GetAsync("/inv/item");

        Assert.Equal(status, (int)write.StatusCode);
        Assert.Equal("MISS", read.XCache());
        Assert.Equal("/inv/item v1", await BodyOf(read));
        Assert.Equal(2, Origin.Count("/inv/item"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(409)]
    public async Task An_error_answer_to_an_unsafe_request_invalidates_nothing(int status)
    {
        Resource("/inv/failed", status);
        await WarmAsync(Client, "/inv/failed");

        using var write = await SendAsync(HttpMethod.Put, "/inv/failed");
        using var read = await GetAsync("/inv/failed");

        Assert.Equal(status, (int)write.StatusCode);
        Assert.Equal("HIT", read.XCache());
        Assert.Equal(1, Origin.Count("/inv/failed"));
    }

    [Fact]
    public async Task Same_origin_Location_and_Content_Location_are_invalidated_too_and_other_origins_are_not()
    {
        var self = Gateway.Address.GetLeftPart(UriPartial.Authority);
        Resource("/inv/created");
        Resource("/inv/described");
        Resource("/inv/elsewhere");
        Resource("/inv/collection", 201,
            ("Location", "/inv/created"), ("Content-Location", $"{self}/inv/described"), ("Location", "http://other.example/inv/elsewhere"));
        foreach (var path in new[] { "/inv/created", "/inv/described", "/inv/elsewhere" })
        {
            await WarmAsync(Client, path);
        }

        using var create = await SendAsync(HttpMethod.Post, "/inv/collection");
        using var created = await GetAsync("/inv/created");
        using var described = await GetAsync("/inv/described");
        using var elsewhere = await GetAsync("/inv/elsewhere");

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("MISS", created.XCache());
        Assert.Equal("MISS", described.XCache());
        Assert.Equal("HIT", elsewhere.XCache());
        Assert.Equal(2, Origin.Count("/inv/created"));
        Assert.Equal(2, Origin.Count("/inv/described"));
        Assert.Equal(1, Origin.Count("/inv/elsewhere"));
    }

    [Fact]
    public async Task Invalidation_covers_every_variant_and_query_of_the_URL()
    {
        Origin.On("/inv/varied", context => TestOrigin.RespondAsync(context, context.Request.Method == "GET" ? 200 : 204,
            context.Request.Method == "GET" ? "in " + context.Request.Headers.AcceptLanguage : "",
            ("Cache-Control", "max-age=600"), ("Vary", "Accept-Language")));
        foreach (var language in new[] { "en", "fr" })
        {
            using var warm = await GetAsync("/inv/varied", ("Accept-Language", language));
            using var hit = await GetAsync("/inv/varied", ("Accept-Language", language));
            Assert.Equal("HIT", hit.XCache());
        }
        await WarmAsync(Client, "/inv/varied?page=2");

        using var write = await SendAsync(HttpMethod.Put, "/inv/varied");
        using var english = await GetAsync("/inv/varied", ("Accept-Language", "en"));
        using var french = await GetAsync("/inv/varied", ("Accept-Language", "fr"));
        using var page = await GetAsync("/inv/varied?page=2");

        Assert.Equal("MISS", english.XCache());
        Assert.Equal("MISS", french.XCache());
        Assert.Equal("MISS", page.XCache());
    }

    /// <summary>
    /// Two gateway replicas on one store: a write through one is not read back stale through the other. The other's
    /// memory tier may answer from its copy only while it is within <c>MemoryTier:MaxLag</c> of the invalidation log,
    /// so a read it starts later than that after the write returned is a miss.
    /// </summary>
    [Fact]
    public async Task A_write_through_one_replica_invalidates_the_other()
    {
        var replica = await StartGatewayAsync();
        var maxLag = replica.Services.GetRequiredService<IOptions<CacheLayerOptions>>().Value.MemoryTier.MaxLag;
        Resource("/inv/shared");
        // The replica stores it, so holds it in its memory tier too; the writer reads it from the store.
        using (var stored = await GetAsync(replica.Client, "/inv/shared"))
        using (var fromMemory = await GetAsync(replica.Client, "/inv/shared"))
        using (var fromStore = await GetAsync(Client, "/inv/shared"))
        {
            Assert.Equal("CacheLayer; fwd=miss; fwd-status=200; stored", GatewayStatus(stored));
            Assert.Equal("memory", fromMemory.HitTier());
            Assert.Equal("HIT", fromStore.XCache());
        }
        Assert.Equal(1, Origin.Count("/inv/shared"));

        using var write = await SendAsync(Client, HttpMethod.Put, "/inv/shared");
        var sinceWrite = Stopwatch.StartNew();
        using var read = await Eventually.ValueAsync(async _ =>
        {
            var sentAt = sinceWrite.Elapsed;
            var response = await GetAsync(replica.Client, "/inv/shared");
            if (response.XCache() != "HIT")
            {
                return response;
            }
            Assert.True(sentAt < maxLag, $"The replica answered from its copy {sentAt} after the write returned: {Describe(response)}");
            response.Dispose();
            return null;
        }, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        Assert.Equal("MISS", read.XCache());
        Assert.Equal("/inv/shared v1", await BodyOf(read));
        Assert.Equal(2, Origin.Count("/inv/shared"));
        using var writerRead = await GetAsync(Client, "/inv/shared");
        Assert.Equal("/inv/shared v1", await BodyOf(writerRead));
    }
}
