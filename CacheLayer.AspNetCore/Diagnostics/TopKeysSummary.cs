using CacheLayer.AspNetCore.Admin;
namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// A Space-Saving table's contents: keys with counts, most first, and its <paramref name="Bound"/>. Of a
/// stream of N lookups summarized in at most k keys: every count is at least the key's true lookups and
/// at most <paramref name="Bound"/> more; a key not listed was looked up at most <paramref name="Bound"/>
/// times; and <paramref name="Bound"/> ≤ N/k (a table that never filled has bound 0 and exact counts).
/// </summary>
internal sealed record TopKeysSummary(IReadOnlyList<KeyLookups> Keys, long Bound)
{
    public static TopKeysSummary Empty { get; } = new([], 0);

    /// <summary>
    /// Merges the summaries of several streams into one of at most <paramref name="capacity"/> keys that
    /// summarizes them all with the same guarantees, N being the sum of their lookups (Agarwal et al.,
    /// "Mergeable Summaries"; Cafaro et al., "Parallel Space Saving"). A key's merged count adds, for each
    /// summary, its count there or, if it is not listed there, that summary's bound: an upper bound, too
    /// high by at most B = Σ bounds. The <paramref name="capacity"/> highest are kept; the merged bound is
    /// the larger of B and the highest count dropped. Both are ≤ N/k when every input is a table of
    /// capacity k (full, or never full with bound 0) or a <see cref="Truncate"/> to k of a larger one:
    /// each input's bound is then ≤ its own lookups / k, and any k+1 keys' merged counts add up to at
    /// most N + B, so the (k+1)-th highest is ≤ N/k. Hence a key looked up more than N/k times in all is listed.
    /// Ties keep the order of first appearance (the first summary's order first).
    /// </summary>
    public static TopKeysSummary Merge(IReadOnlyList<TopKeysSummary> summaries, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var bounds = summaries.Sum(summary => summary.Bound);
        var merged = new Dictionary<string, (long Count, int Order)>(StringComparer.Ordinal);
        foreach (var summary in summaries)
        {
            foreach (var (key, lookups) in summary.Keys)
            {
                // Start from every summary's bound, then swap this summary's bound for its real count.
                var (count, order) = merged.TryGetValue(key, out var seen) ? seen : (bounds, merged.Count);
                merged[key] = (count - summary.Bound + lookups, order);
            }
        }

        var ranked = merged
            .OrderByDescending(pair => pair.Value.Count)
            .ThenBy(pair => pair.Value.Order)
            .Select(pair => new KeyLookups(pair.Key, pair.Value.Count))
            .ToList();
        return new TopKeysSummary(ranked, bounds).Truncate(capacity);
    }

    /// <summary>
    /// At most <paramref name="capacity"/> keys, the highest counts: the bound rises to the highest count
    /// dropped, so the guarantees still hold (with k = <paramref name="capacity"/>). Expects <see cref="Keys"/> most first.
    /// </summary>
    public TopKeysSummary Truncate(int capacity) =>
        Keys.Count <= capacity ? this : new TopKeysSummary([.. Keys.Take(capacity)], Math.Max(Bound, Keys[capacity].Lookups));
}
