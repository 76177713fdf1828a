using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.Tests.Unit;

public class QueryBindingTests
{
    public enum Kind { A, B }

    public readonly record struct Slug(string Value)
    {
        public static bool TryParse(string? text, out Slug slug)
        {
            slug = new Slug(text ?? "");
            return text is not null;
        }
    }

    public sealed record Body(string Title);

    public sealed record Paging(int Page, [property: FromQuery(Name = "size")] int PageSize, [FromHeader] string? Tenant)
    {
        public string? Sort { get; set; }

        public Kind Filter { get; init; }
    }

    public sealed class Bindable
    {
        public static ValueTask<Bindable?> BindAsync(HttpContext context) => ValueTask.FromResult<Bindable?>(new Bindable());
    }

    private static class Handlers
    {
        public static void Simple(int id, string? search, int? page, Kind kind, Guid token, DateTime since, DateTimeOffset until,
            TimeSpan span, decimal price, Slug slug, int[] tags, bool flag, DateOnly day) { }

        public static void Attributes([FromQuery(Name = "q")] string text, [FromRoute] string name, [FromHeader] string lang,
            [FromServices] string service, [FromBody] Body body, [FromForm] string field, [FromKeyedServices("k")] string keyed) { }

        public static void Special(CancellationToken cancellationToken, ClaimsPrincipal user, HttpResponse response,
            IFormFile file, IFormFileCollection files, Body body, IServiceProvider services) { }

        public static void Context(HttpContext context, int page) { }

        public static void Request(HttpRequest request) { }

        public static void BindsItself(Bindable value) { }

        public static void Grouped([AsParameters] Paging paging, int id) { }
    }

    private static QueryBinding Of(string handler, params string[] route) =>
        QueryBinding.Of(typeof(Handlers).GetMethod(handler, BindingFlags.Public | BindingFlags.Static)!, route);

    [Fact]
    public void Simple_parameters_not_in_the_route_are_bound_from_the_query()
    {
        var binding = Of(nameof(Handlers.Simple), "id");

        Assert.Equal(["search", "page", "kind", "token", "since", "until", "span", "price", "slug", "tags", "flag", "day"], binding.Names);
        Assert.False(binding.ReadsRequest);
    }

    [Fact]
    public void Route_parameters_match_ignoring_case()
    {
        Assert.DoesNotContain("id", Of(nameof(Handlers.Simple), "ID").Names);
    }

    [Fact]
    public void FromQuery_gives_the_name_and_other_sources_are_not_query()
    {
        Assert.Equal(["q"], Of(nameof(Handlers.Attributes)).Names);
    }

    [Fact]
    public void Special_types_and_complex_types_are_not_query()
    {
        var binding = Of(nameof(Handlers.Special));

        Assert.Empty(binding.Names);
        Assert.False(binding.ReadsRequest);
    }

    [Theory]
    [InlineData(nameof(Handlers.Context))]
    [InlineData(nameof(Handlers.Request))]
    [InlineData(nameof(Handlers.BindsItself))]
    public void A_handler_that_can_read_the_request_is_flagged(string handler)
    {
        Assert.True(Of(handler).ReadsRequest);
    }

    [Fact]
    public void AsParameters_types_are_looked_into()
    {
        var binding = Of(nameof(Handlers.Grouped), "id");

        Assert.Equal(["Page", "size", "Sort", "Filter"], binding.Names);
    }
}
