// A Native AOT host that uses only CacheLayer.AspNetCore's public API: bench/aot-smoke.sh publishes it,
// requires the publish to give no trimming or AOT warning, and checks a miss, a hit and an invalidation.
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddCacheLayer("cache");
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ItemJson.Default));

var app = builder.Build();
app.UseCacheLayer();

var items = new Dictionary<int, Item> { [1] = new(1, "one") };

app.MapGet("/items/{id:int}", (int id) => items.TryGetValue(id, out var item) ? Results.Ok(item) : Results.NotFound())
    .CacheResponse(TimeSpan.FromMinutes(1));
app.MapPut("/items/{id:int}", (int id, Item item) =>
    {
        items[id] = item;
        return Results.NoContent();
    })
    .InvalidatesCache("GET:/items/{id}");
app.MapCacheLayerAdmin();

app.Run();

internal sealed record Item(int Id, string Name);

[JsonSerializable(typeof(Item))]
internal sealed partial class ItemJson : JsonSerializerContext;
