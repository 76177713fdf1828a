using Microsoft.AspNetCore.Http.HttpResults;

namespace CacheLayer.Api.Posts;

public static class PostsApi
{
    public static IEndpointRouteBuilder MapPostsApi(this IEndpointRouteBuilder endpoints)
    {
        var posts = endpoints.MapGroup("/api/posts").WithTags("Posts").WithDemoBodyLimit();

        posts.MapGet("/", ListPosts)
            .CacheResponse(TimeSpan.FromSeconds(90), tags: ["posts"], varyByHeaders: ["Accept-Language"]);

        posts.MapPost("/", CreatePost)
            .InvalidatesCache("GET:/api/posts/");

        return endpoints;
    }

    public static async Task<Ok<PostsResponse>> ListPosts(PostStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PostsResponse(await store.ListAsync(cancellationToken)));

    public static async Task<Results<Created<MessageResponse>, ValidationProblem>> CreatePost(
        CreatePostRequest request, PostStore store, CancellationToken cancellationToken)
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
