using System.Globalization;
using System.Text;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",...} value [timestamp]</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() =>
        $"{Name}{{{string.Join(",", Labels.Select(label => $"{label.Key}=\"{label.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The samples of a Prometheus text exposition (format 0.0.4), so tests assert on an exact name, the
/// exact set of labels and the value instead of a substring. <c>#</c> lines (HELP, TYPE, comments) and
/// blank lines are skipped; label values may hold escaped quotes, backslashes and newlines, commas and braces.
/// </summary>
public sealed class PrometheusSamples
{
    /// <summary>The scope label the OpenTelemetry exporter gives every instrument of the cache layer's meter.</summary>
    public static readonly (string Name, string Value) CacheScope = ("otel_scope_name", "CacheLayer.Cache");

    private PrometheusSamples(IReadOnlyList<PrometheusSample> all) => All = all;

    public IReadOnlyList<PrometheusSample> All { get; }

    public static PrometheusSamples Parse(string exposition)
    {
        var samples = new List<PrometheusSample>();
        var lineNumber = 0;
        foreach (var rawLine in exposition.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            try
            {
                samples.Add(ParseLine(line));
            }
            catch (FormatException exception)
            {
                throw new FormatException($"Line {lineNumber} is not a Prometheus sample: {line}", exception);
            }
        }
        return new PrometheusSamples(samples);
    }

    /// <summary>
    /// The value of the one sample with exactly this name and exactly these labels (no more, no fewer),
    /// or null if there is none.
    /// </summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = All.Where(sample => sample.Name == name && HasExactly(sample, labels)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Count} samples of {name} have the labels {Describe(labels)}."),
        };
    }

    /// <summary>The value of the one sample with exactly this name and labels; fails listing the samples of that name if there is none.</summary>
    public double Single(string name, params (string Name, string Value)[] labels) =>
        Value(name, labels) ?? throw new Xunit.Sdk.XunitException(
            $"No sample {name}{Describe(labels)}. Samples of {name}:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", Named(name)));

    /// <summary>Samples of this name whose labels include these (and possibly others).</summary>
    public IReadOnlyList<PrometheusSample> Matching(string name, params (string Name, string Value)[] labels) =>
        All.Where(sample => sample.Name == name
                && labels.All(label => sample.Labels.TryGetValue(label.Name, out var value) && value == label.Value))
            .ToList();

    public IReadOnlyList<PrometheusSample> Named(string name) => All.Where(sample => sample.Name == name).ToList();

    private static bool HasExactly(PrometheusSample sample, (string Name, string Value)[] labels) =>
        sample.Labels.Count == labels.Length
        && labels.All(label => sample.Labels.TryGetValue(label.Name, out var value) && value == label.Value);

    private static string Describe((string Name, string Value)[] labels) =>
        "{" + string.Join(",", labels.Select(label => $"{label.Name}=\"{label.Value}\"")) + "}";

    private static PrometheusSample ParseLine(string line)
    {
        var position = 0;
        var name = ReadName(line, ref position);
        if (name.Length == 0)
        {
            throw new FormatException("No metric name.");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (true)
            {
                SkipSpaces(line, ref position);
                if (position < line.Length && line[position] == '}')
                {
                    position++;
                    break;
                }
                var label = ReadName(line, ref position);
                SkipSpaces(line, ref position);
                Expect(line, ref position, '=');
                SkipSpaces(line, ref position);
                var value = ReadQuoted(line, ref position);
                if (!labels.TryAdd(label, value))
                {
                    throw new FormatException($"Label {label} appears twice.");
                }
                SkipSpaces(line, ref position);
                if (position < line.Length && line[position] == ',')
                {
                    position++;
                    continue;
                }
                Expect(line, ref position, '}');
                break;
            }
        }

        // The value, then an optional timestamp.
        var rest = line[position..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException("Expected a value and at most a timestamp after the labels.");
        }
        return new PrometheusSample(name, labels, ParseValue(rest[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string ReadName(string line, ref int position)
    {
        var start = position;
        while (position < line.Length && (char.IsAsciiLetterOrDigit(line[position]) || line[position] is '_' or ':'))
        {
            position++;
        }
        return line[start..position];
    }

    private static string ReadQuoted(string line, ref int position)
    {
        Expect(line, ref position, '"');
        var value = new StringBuilder();
        while (true)
        {
            if (position >= line.Length)
            {
                throw new FormatException("Unterminated label value.");
            }
            var c = line[position++];
            if (c == '"')
            {
                return value.ToString();
            }
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (position >= line.Length)
            {
                throw new FormatException("Dangling escape in a label value.");
            }
            var escaped = line[position++];
            value.Append(escaped switch
            {
                'n' => '\n',
                '\\' => '\\',
                '"' => '"',
                _ => throw new FormatException($"Unknown escape \\{escaped} in a label value."),
            });
        }
    }

    private static void Expect(string line, ref int position, char expected)
    {
        if (position >= line.Length || line[position] != expected)
        {
            throw new FormatException($"Expected '{expected}' at column {position + 1}.");
        }
        position++;
    }

    private static void SkipSpaces(string line, ref int position)
    {
        while (position < line.Length && line[position] == ' ')
        {
            position++;
        }
    }
}
