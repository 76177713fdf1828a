using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CacheLayer.AppHost;

public static class OriginDatabaseExtensions
{
    /// <summary>
    /// Gives every replica of <paramref name="api"/> one SQLite file as its demo origin
    /// (<c>ConnectionStrings__origin</c>). The file is new for each AppHost run, in a directory of its
    /// own under the temp folder, so every run starts from the seed, runs side by side never share data,
    /// and the directory goes when the AppHost stops. The replicas create the schema and the seed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOriginDatabase(this IResourceBuilder<ProjectResource> api)
    {
        if (api.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return api; // a temp file on this machine means nothing to a deployment: it brings its own database
        }

        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cachelayer-origin", Guid.NewGuid().ToString("N")));
        var file = Path.Combine(directory.FullName, "origin.db");
        File.Create(file).Dispose(); // an empty file is an empty SQLite database

        api.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>()
                .CreateLogger(typeof(OriginDatabaseExtensions).Namespace!)
                .LogInformation("Demo origin of '{Name}': SQLite database {File}", api.Resource.Name, file);
            e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteQuietly(directory));
            return Task.CompletedTask;
        });

        return api.WithEnvironment("ConnectionStrings__origin", $"Data Source={file}");
    }

    private static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A replica still holding the file (on Windows) keeps it: it is a temp file, and the next run uses a new one.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
