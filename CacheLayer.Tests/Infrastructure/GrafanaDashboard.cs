using System.Text.Json;
using System.Text.RegularExpressions;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// <c>grafana/cachelayer.json</c> (copied next to the tests by the project file): its panels, and for each
/// query the metric names and label names it reads, read off the PromQL.
/// </summary>
public sealed partial class GrafanaDashboard
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "grafana");

    private GrafanaDashboard(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public static GrafanaDashboard Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cachelayer.json")));
        return new GrafanaDashboard(document.RootElement.Clone());
    }

    public IEnumerable<JsonElement> Panels => Root.GetProperty("panels").EnumerateArray();

    /// <summary>Every query: each panel target's <c>expr</c> and legend, and each query variable's <c>label_values(...)</c>.</summary>
    public IReadOnlyList<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var panel in Panels)
        {
            var title = panel.GetProperty("title").GetString()!;
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!;
                var legend = target.TryGetProperty("legendFormat", out var format) ? format.GetString() ?? "" : "";
                queries.Add(new DashboardQuery(title, expr, Metrics(expr),
                    [.. Labels(expr), .. LegendLabel().Matches(legend).Select(match => match.Groups[1].Value)]));
            }
        }
        foreach (var variable in Root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() != "query")
            {
                continue;
            }
            var query = variable.GetProperty("query").GetProperty("query").GetString()!;
            var labelValues = LabelValues().Match(query);
            Assert.True(labelValues.Success, $"Variable {variable.GetProperty("name")}: expected label_values(metric{{...}}, label), got {query}");
            var selector = labelValues.Groups["selector"].Value;
            queries.Add(new DashboardQuery("$" + variable.GetProperty("name").GetString(), query, Metrics(selector),
                [.. Labels(selector), labelValues.Groups["label"].Value]));
        }
        return queries;
    }

    /// <summary>
    /// The metric names in a PromQL expression: what is left once label matchers (<c>{...}</c>), ranges
    /// (<c>[...]</c>) and grouping clauses (<c>by (...)</c>, <c>on (...)</c>...) are removed, minus function
    /// and aggregation names (followed by a parenthesis), keywords and numbers.
    /// </summary>
    public static IReadOnlyList<string> Metrics(string promql)
    {
        var rest = Grouping().Replace(Range().Replace(Matchers().Replace(promql, " "), " "), " ");
        return Identifier().Matches(rest)
            .Select(match => match.Value)
            .Where(name => !Keywords.Contains(name))
            .Distinct()
            .ToList();
    }

    /// <summary>The label names a PromQL expression matches on or groups by.</summary>
    public static IReadOnlyList<string> Labels(string promql) =>
        [.. Matchers().Matches(promql).SelectMany(block => Matcher().Matches(block.Value).Select(match => match.Groups[1].Value)),
         .. Grouping().Matches(promql).SelectMany(clause => clause.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];

    private static readonly HashSet<string> Keywords =
        ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "Inf", "NaN", "inf", "nan"];

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*""")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    // Not preceded by a word character, '.' or '$' (numbers, variables); not followed by '(' (functions).
    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][\w:]*\b(?!\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\{\{\s*(\w+)\s*\}\}")]
    private static partial Regex LegendLabel();

    [GeneratedRegex(@"^label_values\((?<selector>.*),\s*(?<label>\w+)\s*\)$")]
    private static partial Regex LabelValues();
}

/// <summary>One query of the dashboard: where it is, its text, the metrics it reads and the labels it uses.</summary>
public sealed record DashboardQuery(string Panel, string Text, IReadOnlyList<string> Metrics, IReadOnlyList<string> Labels);
