using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace CacheLayer.Api.Greeting;

/// <summary>A body that depends on the request's language: cached once per supported culture.</summary>
public static class GreetingApi
{
    public static readonly string[] SupportedCultures = ["en", "fr", "de"];

    /// <summary>en (the default), fr and de, resolved by the request-localization middleware.</summary>
    public static IServiceCollection AddDemoLocalization(this IServiceCollection services) =>
        services.Configure<RequestLocalizationOptions>(options => options
            .SetDefaultCulture(SupportedCultures[0])
            .AddSupportedCultures(SupportedCultures)
            .AddSupportedUICultures(SupportedCultures));

    public static IEndpointRouteBuilder MapGreetingApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/greeting", GetGreeting)
            .WithTags("Greeting")
            .CacheResponse(TimeSpan.FromSeconds(300), varyByHeaders: ["Accept-Language"]);
        return endpoints;
    }

    public static GreetingResponse GetGreeting() => new(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName switch
    {
        "fr" => "Bonjour",
        "de" => "Hallo",
        _ => "Hello",
    });
}

/// <summary><c>{"greeting":"Hello"}</c></summary>
public sealed record GreetingResponse(string Greeting);
