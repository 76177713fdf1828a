using CacheLayer.AspNetCore.Keys;
using CacheLayer.AspNetCore.Storage;

namespace CacheLayer.AspNetCore.Coherence;

/// <summary>An entry as the memory tier holds it: the object the index registers, one per <see cref="MemoryTier.Set"/>.</summary>
internal sealed record MemoryTierEntry(CacheKey Key, CacheEntry Entry, IReadOnlyList<string> Tags);

/// <summary>
/// Which keys the memory tier holds, by path, by tag and in path order, so an invalidation visits the entries it
/// covers and not the whole tier. An entry is registered before the tier holds it and unregistered by its eviction
/// callback (replaced, removed, expired or evicted for capacity): the index holds no more than the tier plus the
/// callbacks still queued.
/// </summary>
internal sealed class MemoryTierIndex
{
    private static readonly char[] QueryOrVary = ['?', CacheKey.VarySeparator];

    private readonly Lock _lock = new();
    // Several objects per key only while a replaced one's eviction callback is still queued, or two sets race.
    private readonly Dictionary<string, List<MemoryTierEntry>> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _tags = new(StringComparer.Ordinal);
    // Every path starting with a prefix is one contiguous range of it.
    private readonly SortedSet<string> _pathOrder = new(StringComparer.Ordinal);
    private long _visited;

    /// <summary>Keys registered.</summary>
    public int Keys
    {
        get { lock (_lock) { return _keys.Count; } }
    }

    /// <summary>Entry objects registered (a key's replaced objects count until their eviction callbacks ran).</summary>
    public int Entries
    {
        get { lock (_lock) { return _keys.Values.Sum(entries => entries.Count); } }
    }

    /// <summary>Keys examined by <see cref="Covered"/> since the start: what invalidations cost.</summary>
    public long Visited => Interlocked.Read(ref _visited);

    public void Add(MemoryTierEntry entry)
    {
        var key = entry.Key.Value;
        lock (_lock)
        {
            if (!_keys.TryGetValue(key, out var entries))
            {
                _keys.Add(key, entries = new List<MemoryTierEntry>(1));
                if (AddTo(_paths, entry.Key.Path, key))
                {
                    _pathOrder.Add(entry.Key.Path);
                }
            }
            entries.Add(entry);
            foreach (var tag in entry.Tags)
            {
                AddTo(_tags, tag, key);
            }
        }
    }

    /// <summary>Unregisters this object only: the key stays while a newer object for it is registered.</summary>
    public void Remove(MemoryTierEntry entry)
    {
        var key = entry.Key.Value;
        lock (_lock)
        {
            if (!_keys.TryGetValue(key, out var entries))
            {
                return;
            }
            var at = entries.FindIndex(registered => ReferenceEquals(registered, entry));
            if (at < 0)
            {
                return;
            }
            entries.RemoveAt(at);
            if (entries.Count == 0)
            {
                _keys.Remove(key);
                if (RemoveFrom(_paths, entry.Key.Path, key))
                {
                    _pathOrder.Remove(entry.Key.Path);
                }
            }
            foreach (var tag in entry.Tags)
            {
                if (!entries.Exists(registered => registered.Tags.Contains(tag)))
                {
                    RemoveFrom(_tags, tag, key);
                }
            }
        }
    }

    /// <summary>The keys <paramref name="invalidation"/> covers, examining only those of its paths or tag.</summary>
    public List<string> Covered(CacheInvalidation invalidation)
    {
        var covered = new List<string>();
        var visited = 0;
        lock (_lock)
        {
            switch (invalidation.Kind)
            {
                case CacheInvalidationKind.Key:
                    if (_keys.ContainsKey(invalidation.Value))
                    {
                        covered.Add(invalidation.Value);
                    }
                    visited = covered.Count;
                    break;
                case CacheInvalidationKind.Path:
                    visited = AddAll(_paths, invalidation.Value, covered);
                    break;
                case CacheInvalidationKind.Tag:
                    visited = AddAll(_tags, invalidation.Value, covered);
                    break;
                case CacheInvalidationKind.Prefix:
                    visited = AddPrefixed(invalidation.Value, covered);
                    break;
                default:
                    covered.AddRange(_keys.Keys);
                    visited = covered.Count;
                    break;
            }
        }
        Interlocked.Add(ref _visited, visited);
        return covered;
    }

    /// <summary>
    /// A key starts with <paramref name="prefix"/> when its path does (all the path's keys), or when its path is
    /// the prefix up to a <c>?</c> or <c>|</c> (some of that path's keys: those are examined one by one).
    /// </summary>
    private int AddPrefixed(string prefix, List<string> covered)
    {
        var visited = 0;
        foreach (var path in PathsStartingWith(prefix))
        {
            visited += AddAll(_paths, path, covered);
        }
        for (var end = prefix.IndexOfAny(QueryOrVary); end >= 0; end = prefix.IndexOfAny(QueryOrVary, end + 1))
        {
            if (_paths.TryGetValue(prefix[..end], out var keys))
            {
                foreach (var key in keys)
                {
                    visited++;
                    if (key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        covered.Add(key);
                    }
                }
            }
        }
        return visited;
    }

    private List<string> PathsStartingWith(string prefix)
    {
        var end = prefix.Length - 1;
        while (end >= 0 && prefix[end] == char.MaxValue)
        {
            end--;
        }
        // Past every string starting with the prefix: the prefix with its last character that can be incremented, incremented.
        IEnumerable<string> range = end >= 0 ? _pathOrder.GetViewBetween(prefix, prefix[..end] + (char)(prefix[end] + 1))
            : prefix.Length == 0 ? _pathOrder
            : _pathOrder.Max is { } last && string.CompareOrdinal(prefix, last) <= 0 ? _pathOrder.GetViewBetween(prefix, last)
            : [];
        return range.Where(path => path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    private static int AddAll(Dictionary<string, HashSet<string>> index, string name, List<string> covered)
    {
        if (!index.TryGetValue(name, out var keys))
        {
            return 0;
        }
        covered.AddRange(keys);
        return keys.Count;
    }

    private static bool AddTo(Dictionary<string, HashSet<string>> index, string name, string key)
    {
        var added = !index.TryGetValue(name, out var keys);
        if (added)
        {
            index.Add(name, keys = new HashSet<string>(StringComparer.Ordinal));
        }
        keys!.Add(key);
        return added;
    }

    /// <summary>True when the name has no key left (and is dropped).</summary>
    private static bool RemoveFrom(Dictionary<string, HashSet<string>> index, string name, string key)
    {
        if (!index.TryGetValue(name, out var keys) || !keys.Remove(key) || keys.Count > 0)
        {
            return false;
        }
        index.Remove(name);
        return true;
    }
}
