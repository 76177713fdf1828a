using Microsoft.Data.Sqlite;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>A new, not yet created SQLite file for the demo origin (<c>ConnectionStrings:origin</c>), deleted with its WAL files on dispose.</summary>
public sealed class SqliteOriginFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cachelayer-test-origin-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Settings for <see cref="ApiFactory.Settings"/> that put the API's origin in this file.</summary>
    public Dictionary<string, string> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string> { ["ConnectionStrings:origin"] = ConnectionString };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open.
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }
}
