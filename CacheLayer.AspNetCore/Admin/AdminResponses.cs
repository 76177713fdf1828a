using System.Text.Json;
using System.Text.Json.Serialization;

namespace CacheLayer.AspNetCore.Admin;

/// <summary><c>{"message":"Cache key deleted"}</c></summary>
internal sealed record AdminMessage(string Message);

/// <summary><c>{"message":"Cache entries deleted","deleted":3}</c></summary>
internal sealed record DeletedResponse(string Message, long Deleted);

/// <summary>The admin routes' bodies, serialized without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminMessage))]
[JsonSerializable(typeof(DeletedResponse))]
[JsonSerializable(typeof(CacheStatisticsResponse))]
internal sealed partial class CacheLayerJsonContext : JsonSerializerContext;
