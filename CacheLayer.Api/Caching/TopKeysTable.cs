namespace CacheLayer.Api.Caching;

/// <summary>
/// The most looked-up keys, in fixed memory: the Space-Saving algorithm. At most
/// <c>capacity</c> keys are tracked; a new key replaces the least-counted one and inherits its
/// count, so any key looked up more than total/capacity times is guaranteed to be present.
/// Counts are upper bounds, exact for keys never evicted.
/// </summary>
public sealed class TopKeysTable
{
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counter> _counters;
    private readonly SortedSet<Counter> _byCount = new(Counter.Ascending);
    private long _sequence;

    public TopKeysTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _counters = new Dictionary<string, Counter>(capacity, StringComparer.Ordinal);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _counters.Count;
            }
        }
    }

    public void Record(string key)
    {
        lock (_lock)
        {
            if (_counters.TryGetValue(key, out var counter))
            {
                _byCount.Remove(counter);
                counter.Count++;
                counter.Sequence = ++_sequence;
                _byCount.Add(counter);
                return;
            }

            long inherited = 0;
            if (_counters.Count >= _capacity)
            {
                var smallest = _byCount.Min!;
                _byCount.Remove(smallest);
                _counters.Remove(smallest.Key);
                inherited = smallest.Count;
            }

            counter = new Counter(key) { Count = inherited + 1, Sequence = ++_sequence };
            _counters.Add(key, counter);
            _byCount.Add(counter);
        }
    }

    /// <summary>The <paramref name="count"/> most looked-up keys, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Top(int count)
    {
        lock (_lock)
        {
            return _byCount.Reverse()
                .Take(count)
                .Select(counter => KeyValuePair.Create(counter.Key, counter.Count))
                .ToList();
        }
    }

    private sealed class Counter(string key)
    {
        public static readonly IComparer<Counter> Ascending = Comparer<Counter>.Create((a, b) =>
            a.Count != b.Count ? a.Count.CompareTo(b.Count) : a.Sequence.CompareTo(b.Sequence));

        public string Key { get; } = key;

        public long Count { get; set; }

        // Breaks ties so the set never sees two counters as equal; the oldest is evicted first.
        public long Sequence { get; set; }
    }
}
