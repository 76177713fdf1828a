using CacheLayer.AspNetCore.Pipeline.OriginDirected;
using CacheLayer.AspNetCore.Policies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.DependencyInjection;

namespace CacheLayer.AspNetCore.Pipeline;

internal static class PipelineServiceCollectionExtensions
{
    /// <summary>The middleware's steps, each a singleton.</summary>
    public static IServiceCollection AddCacheLayerPipeline(this IServiceCollection services) => services
        .Configure<MvcOptions>(mvc => mvc.Conventions.Add(new CachedActionsAnswerHead()))
        .AddSingleton<CacheLayerPipelineMarker>()
        .AddSingleton<CachedEndpoints>()
        .AddSingleton<BypassRules>()
        .AddSingleton<TieredLookup>()
        .AddSingleton<OriginInvoker>()
        .AddSingleton<EntryStore>()
        .AddSingleton<Refreshes>()
        .AddSingleton<CachedAnswers>()
        .AddSingleton<MissFlow>()
        .AddSingleton<StaleFlow>()
        .AddSingleton<CachedResponses>()
        .AddSingleton<WriteInvalidations>()
        .AddSingleton<OriginDirectedRules>()
        .AddSingleton<OriginEntries>()
        .AddSingleton<OriginMissCollapsing>()
        .AddSingleton<OriginRevalidation>()
        .AddSingleton<OriginBackgroundRevalidation>()
        .AddSingleton<OriginDirectedResponses>()
        .AddSingleton<OriginWriteInvalidations>();
}
