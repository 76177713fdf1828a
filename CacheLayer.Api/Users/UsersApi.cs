using CacheLayer.Api.Demo;
using Microsoft.Extensions.Options;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.Api.Users;

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/api/users").WithTags("Users").WithDemoBodyLimit();
        var ttl = endpoints.ServiceProvider.GetRequiredService<IOptions<DemoTtlOptions>>().Value; // Demo:Ttl

        users.MapGet("/{id}", GetUser)
            .CacheResponse(ttl.Users, tags: ["users"]);

        users.MapPut("/{id}", UpdateUser)
            .InvalidatesCache("GET:/api/users/{id}");

        endpoints.MapGet("/api/me", GetMe)
            .WithTags("Users")
            .CacheResponse(TimeSpan.FromSeconds(60), varyByUser: true);

        return endpoints;
    }

    /// <summary>Who the caller is, cached per user: plug in any authentication scheme.</summary>
    public static Results<Ok<MeResponse>, ProblemHttpResult> GetMe(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { } name }
            ? TypedResults.Ok(new MeResponse(name))
            : TypedResults.Problem("Sign in to see who you are.", statusCode: StatusCodes.Status401Unauthorized);

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUser(int id, IUserStore store, CancellationToken cancellationToken)
    {
        if (id <= 0)
        {
            return InvalidId(id);
        }

        return await store.FindAsync(id, cancellationToken) is { } user
            ? TypedResults.Ok(new UserResponse(user))
            : UnknownUser(id);
    }

    public static async Task<Results<Ok<MessageResponse>, ProblemHttpResult, ValidationProblem>> UpdateUser(
        int id, UpdateUserRequest request, IUserStore store, CancellationToken cancellationToken)
    {
        if (id <= 0)
        {
            return InvalidId(id);
        }

        var errors = request.Validate();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await store.TryRenameAsync(id, request.Name!.Trim(), cancellationToken)
            ? TypedResults.Ok(new MessageResponse("User updated"))
            : UnknownUser(id);
    }

    private static ProblemHttpResult InvalidId(int id) =>
        TypedResults.Problem($"The user id must be a positive integer; got {id}.", statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult UnknownUser(int id) =>
        TypedResults.Problem($"There is no user {id}.", statusCode: StatusCodes.Status404NotFound);
}
