using Microsoft.AspNetCore.Routing.Patterns;

namespace CacheLayer.Tests.Unit;

public class CacheKeyTemplateTests
{
    [Theory]
    [InlineData("/api/posts/", "GET:/api/posts/")]
    [InlineData("/API/Posts/", "GET:/api/posts/")]
    [InlineData("/api/users/{id}", "GET:/api/users/{id}")]
    [InlineData("/api/users/{id:int}", "GET:/api/users/{id}")]
    [InlineData("/", "GET:/")]
    public void Route_patterns_render_as_lower_case_templates(string route, string expected)
    {
        var template = CacheKeyTemplate.FromRoute("get", RoutePatternFactory.Parse(route));

        Assert.Equal(expected, template.Text);
    }

    [Fact]
    public void Parameters_are_filled_from_values_formatted_invariantly()
    {
        var template = CacheKeyTemplate.Parse("GET:/api/users/{id}");

        Assert.Equal("GET:/api/users/1", template.FillPath(name => name == "id" ? 1 : null));
        Assert.Equal("GET:/api/users/1.5", template.FillPath(_ => 1.5m));
    }

    [Fact]
    public void Parameter_values_cannot_forge_another_path()
    {
        var template = CacheKeyTemplate.Parse("GET:/api/users/{id}");

        Assert.Equal("GET:/api/users/1%2F..%3Fx%3D1", template.FillPath(_ => "1/..?x=1"));
    }

    [Fact]
    public void An_invalidation_template_matches_the_key_of_the_route_it_names()
    {
        var fromRoute = CacheKeyTemplate.FromRoute("GET", RoutePatternFactory.Parse("/api/users/{id}"));
        var fromText = CacheKeyTemplate.Parse("GET:/API/users/{id}");

        Assert.Equal(fromRoute.FillPath(_ => 7), fromText.FillPath(_ => 7));
    }

    [Theory]
    [InlineData("/api/users/{id}")]
    [InlineData("GET")]
    [InlineData("GET:")]
    [InlineData("GET:api/users")]
    public void Malformed_templates_are_rejected(string template)
    {
        Assert.Throws<FormatException>(() => CacheKeyTemplate.Parse(template));
    }
}
