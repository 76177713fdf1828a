using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CacheLayer.AppHost;

/// <summary>Turns the admin routes' answers into what the dashboard shows after a command.</summary>
internal static class AdminCommandResults
{
    private const int ShownKeyLength = 120;

    /// <summary><c>{"message":"Cache entries deleted","deleted":3}</c> → "Cache entries deleted: 3"; a problem's detail as the failure.</summary>
    public static async Task<ExecuteCommandResult> FromDeleteAsync(HttpCommandResultContext context)
    {
        using var body = await ReadAsync(context);
        if (!context.Response.IsSuccessStatusCode)
        {
            return Failure(context, body);
        }
        var message = Text(body, "message") ?? "Done";
        return CommandResults.Success(body?.RootElement.TryGetProperty("deleted", out var deleted) == true
            ? $"{message}: {deleted.GetInt64().ToString(CultureInfo.InvariantCulture)}"
            : message);
    }

    /// <summary>The statistics of every live replica as Markdown: the hit ratio, then the top keys as a table.</summary>
    public static async Task<ExecuteCommandResult> FromStatisticsAsync(HttpCommandResultContext context)
    {
        using var body = await ReadAsync(context);
        if (!context.Response.IsSuccessStatusCode || body is null)
        {
            return Failure(context, body);
        }
        var root = body.RootElement;
        var hits = root.GetProperty("hits").GetInt64();
        var misses = root.GetProperty("misses").GetInt64();
        var ratio = hits + misses == 0 ? "no lookups yet" : (hits / (double)(hits + misses)).ToString("P1", CultureInfo.InvariantCulture);
        var cached = root.GetProperty("total_cached_keys") is { ValueKind: JsonValueKind.Number } count
            ? count.GetInt64().ToString(CultureInfo.InvariantCulture)
            : "unknown (the store did not answer)";

        var markdown = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"**Hit ratio: {ratio}** ({hits} hits, {misses} misses, {root.GetProperty("replicas").GetInt32()} replicas)  \n")
            .Append(CultureInfo.InvariantCulture, $"Cached keys: {cached}\n\n")
            .Append("| Key | Lookups |\n|---|---:|\n");
        foreach (var pair in root.GetProperty("top_keys").EnumerateArray())
        {
            markdown.Append(CultureInfo.InvariantCulture, $"| {Cell(pair[0].GetString() ?? "")} | {pair[1].GetInt64()} |\n");
        }
        return CommandResults.Success($"Hit ratio {ratio}", markdown.ToString(), CommandResultFormat.Markdown, displayImmediately: true);
    }

    private static async Task<JsonDocument?> ReadAsync(HttpCommandResultContext context)
    {
        var text = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ExecuteCommandResult Failure(HttpCommandResultContext context, JsonDocument? body) =>
        CommandResults.Failure(Text(body, "detail") ?? Text(body, "message")
            ?? $"{(int)context.Response.StatusCode} {context.Response.ReasonPhrase}");

    private static string? Text(JsonDocument? body, string property) =>
        body?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    // Keys come from client requests: shown as code, cut short, with nothing that would end the cell or the code span.
    private static string Cell(string key)
    {
        var shown = key.Length > ShownKeyLength ? key[..ShownKeyLength] + "…" : key;
        return $"`{shown.Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")}`";
    }
}
