using System.Collections.Concurrent;
using CacheLayer.Tests.MinimalHost;

namespace CacheLayer.Tests.Controllers;

/// <summary>
/// The data and switches behind both test hosts (<see cref="MinimalItemsApp"/> and <see cref="ControllersApp"/>):
/// the items, and what the graced endpoint's origin answers. Counts the origin calls each route got, so a test
/// can tell a hit (no call) from a miss.
/// </summary>
public sealed class ItemsBackend
{
    private readonly ConcurrentDictionary<int, string> _items = new([new(1, "First item"), new(2, "Second item")]);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private int _nextId = 2;
    private int _gracedStatus = 200;

    /// <summary>What <c>GET /graced/{id}</c> answers: 200 with the item, or this status as a problem.</summary>
    public int GracedStatus { get => Volatile.Read(ref _gracedStatus); set => Volatile.Write(ref _gracedStatus, value); }

    /// <summary>How many times the origin of <paramref name="route"/> (e.g. <c>"GET /items/{id}"</c>) ran.</summary>
    public int Calls(string route) => _calls.GetValueOrDefault(route);

    public Item? Find(int id)
    {
        Count("GET /items/{id}");
        return _items.TryGetValue(id, out var name) ? new Item(id, name) : null;
    }

    /// <summary>One item per page, by id.</summary>
    public IReadOnlyList<Item> Page(int page)
    {
        Count("GET /items");
        return [.. _items.OrderBy(item => item.Key).Skip(page - 1).Take(1).Select(item => new Item(item.Key, item.Value))];
    }

    public void Save(int id, string name) => _items[id] = name;

    public bool Remove(int id) => _items.TryRemove(id, out _);

    public Item Add(string name)
    {
        var id = Interlocked.Increment(ref _nextId);
        _items[id] = name;
        return new Item(id, name);
    }

    public string Greeting(string? region)
    {
        Count("GET /greeting");
        return $"hello from {(string.IsNullOrWhiteSpace(region) ? "nowhere" : region.Trim())}";
    }

    public string Me(string? name)
    {
        Count("GET /me");
        return $"you are {name ?? "anonymous"}";
    }

    /// <summary>The graced endpoint's answer: the item, or null when <see cref="GracedStatus"/> says fail.</summary>
    public Item? Graced(int id)
    {
        Count("GET /graced/{id}");
        return GracedStatus == 200 && _items.TryGetValue(id, out var name) ? new Item(id, name) : null;
    }

    public string Private(int id)
    {
        Count("GET /private/{id}");
        return $"private {id}";
    }

    public string Cookie(int id)
    {
        Count("GET /cookie/{id}");
        return $"cookie {id}";
    }

    private void Count(string route) => _calls.AddOrUpdate(route, 1, (_, calls) => calls + 1);
}
