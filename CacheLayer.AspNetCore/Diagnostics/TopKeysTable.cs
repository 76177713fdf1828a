using CacheLayer.AspNetCore.Admin;
namespace CacheLayer.AspNetCore.Diagnostics;

/// <summary>
/// The most looked-up keys, in fixed memory: the Space-Saving algorithm. At most
/// <c>capacity</c> keys are tracked; a new key replaces the least-counted one and inherits its
/// count, so any key looked up more than total/capacity times is guaranteed to be present.
/// Counts are upper bounds, exact for keys never evicted. Counters sit in an array-backed min-heap,
/// so counting a tracked key allocates nothing and costs O(log capacity).
/// </summary>
internal sealed class TopKeysTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counter> _counters;
    private readonly Counter[] _heap;
    private int _size;
    private long _sequence;

    public TopKeysTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _heap = new Counter[capacity];
        _counters = new Dictionary<string, Counter>(capacity, StringComparer.Ordinal);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    public void Record(string key)
    {
        lock (_lock)
        {
            if (_counters.TryGetValue(key, out var counter))
            {
                counter.Count++;
                counter.Sequence = ++_sequence;
                SiftDown(counter.Index);
                return;
            }

            if (_size < _heap.Length)
            {
                counter = new Counter(key) { Count = 1, Sequence = ++_sequence, Index = _size };
                _heap[_size++] = counter;
                _counters.Add(key, counter);
                SiftUp(counter.Index);
                return;
            }

            // Full: the least-counted key makes room and hands its count on.
            var smallest = _heap[0];
            _counters.Remove(smallest.Key);
            counter = new Counter(key) { Count = smallest.Count + 1, Sequence = ++_sequence, Index = 0 };
            _heap[0] = counter;
            _counters.Add(key, counter);
            SiftDown(0);
        }
    }

    /// <summary>The <paramref name="count"/> most looked-up keys, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Top(int count)
    {
        lock (_lock)
        {
            return _heap.Take(_size)
                .OrderByDescending(counter => counter.Count)
                .ThenByDescending(counter => counter.Sequence)
                .Take(count)
                .Select(counter => KeyValuePair.Create(counter.Key, counter.Count))
                .ToList();
        }
    }

    /// <summary>Every tracked key, most first, and the bound: the smallest count once the table is full (0 before).</summary>
    public TopKeysSummary Summary()
    {
        (string Key, long Count, long Sequence)[] counters;
        long bound;
        // Copied under the lock, ranked outside it: lookups wait for a copy, not for a sort.
        lock (_lock)
        {
            counters = new (string, long, long)[_size];
            for (var i = 0; i < _size; i++)
            {
                counters[i] = (_heap[i].Key, _heap[i].Count, _heap[i].Sequence);
            }
            bound = _size == _heap.Length ? _heap[0].Count : 0;
        }
        var keys = counters
            .OrderByDescending(counter => counter.Count)
            .ThenByDescending(counter => counter.Sequence)
            .Select(counter => new KeyLookups(counter.Key, counter.Count))
            .ToList();
        return new TopKeysSummary(keys, bound);
    }

    // Ordered by count, then by last use, so among equals the longest unused is evicted first.
    private static bool Less(Counter a, Counter b) => a.Count != b.Count ? a.Count < b.Count : a.Sequence < b.Sequence;

    private void SiftUp(int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Less(_heap[index], _heap[parent]))
            {
                return;
            }
            Swap(index, parent);
            index = parent;
        }
    }

    private void SiftDown(int index)
    {
        while (true)
        {
            var smallest = index;
            foreach (var child in (ReadOnlySpan<int>)[2 * index + 1, 2 * index + 2])
            {
                if (child < _size && Less(_heap[child], _heap[smallest]))
                {
                    smallest = child;
                }
            }
            if (smallest == index)
            {
                return;
            }
            Swap(index, smallest);
            index = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_heap[a], _heap[b]) = (_heap[b], _heap[a]);
        _heap[a].Index = a;
        _heap[b].Index = b;
    }

    private sealed class Counter(string key)
    {
        public string Key { get; } = key;

        public long Count { get; set; }

        public long Sequence { get; set; }

        public int Index { get; set; }
    }
}
