using System.Text.Json;
using System.Text.Json.Serialization;

namespace CacheLayer.AspNetCore.Admin;

/// <summary><c>{"hits":5,"misses":2,"top_keys":[["GET:/api/posts/",7]],"total_cached_keys":1,"replicas":2}</c></summary>
/// <remarks>
/// <c>total_cached_keys</c> is null when the store did not answer; <c>replicas</c> is how many processes'
/// numbers are in (1 for <c>?scope=process</c>, or when the other replicas' could not be read).
/// </remarks>
internal sealed record CacheStatisticsResponse(
    long Hits,
    long Misses,
    [property: JsonPropertyName("top_keys")] IReadOnlyList<KeyLookups> TopKeys,
    [property: JsonPropertyName("total_cached_keys")] long? TotalCachedKeys,
    int Replicas);

/// <summary>A key and its lookups (hits + misses), written as the pair <c>["GET:/api/posts/",7]</c>.</summary>
[JsonConverter(typeof(KeyLookupsConverter))]
internal sealed record KeyLookups(string Key, long Lookups);

internal sealed class KeyLookupsConverter : JsonConverter<KeyLookups>
{
    public override KeyLookups Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read())
        {
            throw new JsonException("Expected [key, lookups].");
        }
        var key = reader.GetString() ?? throw new JsonException("Expected a key.");
        reader.Read();
        var lookups = reader.GetInt64();
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("Expected [key, lookups].");
        }
        return new KeyLookups(key, lookups);
    }

    public override void Write(Utf8JsonWriter writer, KeyLookups value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Key);
        writer.WriteNumberValue(value.Lookups);
        writer.WriteEndArray();
    }
}
