extern alias apphost;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using CacheLayer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using GatewayResource = apphost::CacheLayer.AppHost.GatewayExtensions;

namespace CacheLayer.Tests.EndToEnd;

/// <summary>
/// The real AppHost with <c>Gateway=on</c>: the gateway in front of the demo API, and (<c>GatewayOrigin</c>) in
/// front of an origin of the test's own that says how long its answers are fresh, as a user's origin would.
/// </summary>
public class GatewayAppHostTests
{
    private const string AdminApiKey = "e2e-admin-key-0123456789abcdef";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private const string StoreTimeout = "CacheLayer:OperationTimeout=00:00:02";

    /// <summary>
    /// The demo API answers <c>Cache-Control: no-cache</c> with a strong <c>ETag</c>, so under RFC 9111 the gateway
    /// stores the answer and revalidates it on every use: its second GET goes to the API as a conditional request,
    /// the API answers 304 (counted in its <c>cachelayer_cache_not_modified_total</c>), and the client still gets the
    /// 200 and the body, from the gateway's copy. The gateway's own <c>Cache-Status</c> member, the last (RFC 9211
    /// lists the cache nearest the client last), says it went forward and was no plain hit.
    /// A write through the gateway is read back through it at once.
    /// </summary>
    [Fact]
    public async Task The_gateway_in_front_of_the_api_revalidates_what_the_api_marks_no_cache_and_reads_its_writes()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync(
            ["Gateway=on", "ApiReplicas=1", $"Parameters:admin-api-key={AdminApiKey}", StoreTimeout], StartTimeout, cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(GatewayResource.ResourceName, cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        using var gateway = app.CreateHttpClient(GatewayResource.ResourceName);
        gateway.Timeout = RequestTimeout;
        using var api = app.CreateHttpClient("api");
        api.Timeout = RequestTimeout;

        // The gateway's own routes, not proxied: health, and its admin routes behind the AppHost's admin key.
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/health", cancellationToken)).StatusCode);
        using (var statistics = new HttpRequestMessage(HttpMethod.Get, "/metrics/cache") { Headers = { { "X-Api-Key", AdminApiKey } } })
        {
            using var answer = await gateway.SendAsync(statistics, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(cancellationToken));
            Assert.True(json.RootElement.TryGetProperty("hits", out _));
        }

        // Writes through the gateway reach the API, and are read back through the gateway.
        using var before = await gateway.GetAsync("/api/users/1", cancellationToken);
        using var update = await gateway.PutAsJsonAsync("/api/users/1", new { name = "Updated through the gateway" }, cancellationToken);
        using var after = await gateway.GetAsync("/api/users/1", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("{\"user\":{\"id\":1,\"name\":\"Updated through the gateway\"}}", await after.Content.ReadAsStringAsync(cancellationToken));

        // Needs the origin-directed caching of CacheLayer.AspNetCore: until it stores, the gateway only proxies.
        using var first = await gateway.GetAsync("/api/posts/", cancellationToken);
        using var second = await gateway.GetAsync("/api/posts/", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("{\"posts\":[\"Cached post A\",\"Cached post B\"]}", await second.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        var exposition = PrometheusSamples.Parse(await api.GetStringAsync("/metrics", cancellationToken));
        Assert.Equal(1, exposition.Single("cachelayer_cache_not_modified_total", PrometheusSamples.CacheScope, ("http_route", "/api/posts/")));
        var gatewayMember = LastMember(second.CacheStatus());
        Assert.Contains("fwd=", gatewayMember);
        Assert.DoesNotContain("; hit", gatewayMember);
    }

    /// <summary>
    /// <c>GatewayOrigin</c> puts any origin behind the gateway: one that says <c>max-age=60</c> is answered from the
    /// cache on the second GET without being asked, and a PUT through the gateway invalidates what it had stored
    /// (RFC 9111 §4.4), so the next GET goes to the origin again and sees the write.
    /// </summary>
    [Fact]
    public async Task The_gateway_in_front_of_any_origin_caches_what_it_says_is_fresh_and_a_write_invalidates_it()
    {
        await using var origin = await FreshForAMinuteOrigin.StartAsync();
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var cancellationToken = cancellation.Token;
        await using var app = await RunningAppHost.StartAsync(
            ["Gateway=on", $"GatewayOrigin={origin.Address}", "ApiReplicas=1", $"Parameters:admin-api-key={AdminApiKey}", StoreTimeout],
            StartTimeout, cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(GatewayResource.ResourceName, cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        using var gateway = app.CreateHttpClient(GatewayResource.ResourceName);
        gateway.Timeout = RequestTimeout;

        using var proxied = await gateway.GetAsync("/item", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("version 1", await proxied.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(1, origin.Gets);

        // Needs the origin-directed caching of CacheLayer.AspNetCore: until it stores, the gateway only proxies.
        using var hit = await gateway.GetAsync("/item", cancellationToken);
        Assert.Equal("MISS", proxied.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Contains("hit", LastMember(hit.CacheStatus()));
        Assert.Equal("version 1", await hit.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(1, origin.Gets);

        using var write = await gateway.PutAsync("/item", new StringContent("version 2"), cancellationToken);
        using var fresh = await gateway.GetAsync("/item", cancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        Assert.Equal("MISS", fresh.XCache());
        Assert.Equal("version 2", await fresh.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(2, origin.Gets);
    }

    // RFC 9211: members are separated by commas, the cache nearest the client last.
    private static string LastMember(string? cacheStatus) =>
        cacheStatus?.Split(',').Last().Trim() ?? throw new Xunit.Sdk.XunitException("No Cache-Status header.");

    /// <summary>An origin of a few lines, as a user's would be: GET <c>/item</c> is fresh for a minute and has an ETag; PUT changes it.</summary>
    private sealed class FreshForAMinuteOrigin : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _gets;
        private volatile string _body = "version 1";

        private FreshForAMinuteOrigin(WebApplication app) => _app = app;

        public string Address { get; private set; } = "";

        public int Gets => Volatile.Read(ref _gets);

        public static async Task<FreshForAMinuteOrigin> StartAsync()
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var origin = new FreshForAMinuteOrigin(app) { Address = $"http://127.0.0.1:{port}/" };
            app.MapGet("/item", (HttpResponse response) =>
            {
                Interlocked.Increment(ref origin._gets);
                var body = origin._body;
                response.Headers.CacheControl = "max-age=60";
                response.Headers.ETag = $"\"{body.GetHashCode():x8}\"";
                return Results.Text(body, "text/plain");
            });
            app.MapPut("/item", async (HttpRequest request) =>
            {
                origin._body = await new StreamReader(request.Body).ReadToEndAsync();
                return Results.NoContent();
            });
            await app.StartAsync();
            return origin;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
