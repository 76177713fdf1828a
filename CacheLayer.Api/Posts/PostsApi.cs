using CacheLayer.Api.Demo;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.Api.Posts;

public static class PostsApi
{
    public static IEndpointRouteBuilder MapPostsApi(this IEndpointRouteBuilder endpoints)
    {
        var posts = endpoints.MapGroup("/api/posts").WithTags("Posts").WithDemoBodyLimit();
        var ttl = endpoints.ServiceProvider.GetRequiredService<IOptions<DemoTtlOptions>>().Value; // Demo:Ttl

        posts.MapGet("/", ListPosts)
            .CacheResponse(ttl.Posts, tags: ["posts"]);

        posts.MapPost("/", CreatePost)
            .InvalidatesCache("GET:/api/posts/");

        return endpoints;
    }

    public const int MaxPageSize = 100;

    /// <summary>One page of post titles; a page past the end is empty. <c>page</c> and <c>pageSize</c> are bound, so they key the cache.</summary>
    public static async Task<Results<Ok<PostsResponse>, ValidationProblem>> ListPosts(
        IPostStore store, CancellationToken cancellationToken, int page = 1, int pageSize = 20)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1)
        {
            errors["page"] = ["The page must be 1 or more."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"The page size must be between 1 and {MaxPageSize}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var posts = await store.ListAsync(cancellationToken);
        return TypedResults.Ok(new PostsResponse([.. posts.Skip((int)Math.Min((page - 1L) * pageSize, int.MaxValue)).Take(pageSize)]));
    }

    public static async Task<Results<Created<MessageResponse>, ValidationProblem>> CreatePost(
        CreatePostRequest request, IPostStore store, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await store.AddAsync(request.Title!.Trim(), cancellationToken);
        return TypedResults.Created((string?)null, new MessageResponse("Post created"));
    }
}
