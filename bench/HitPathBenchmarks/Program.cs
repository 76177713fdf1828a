// Allocations per cache hit (issue 5: under 1 KiB per request beyond the response body), through the
// middleware (app.UseCacheLayer()) on a reused in-process HttpContext, the memory tier warm.
//
// Run from the repository root (Release; about 5 minutes on 2 cores):
//
//   dotnet run -c Release --project bench/HitPathBenchmarks -- --filter '*'
//
// HitPathBenchmarks gives the figures (MemoryTierHit through the host's pipeline and its variants, the
// middleware alone, KeyBuilding, RedisEntryDecode; `--filter '*HitPathBenchmarks.*'` for those alone,
// about 2 minutes); HitPathPartsBenchmarks takes the hit apart step by step, in the pipeline's order, to
// attribute its bytes (`--filter '*Parts*'`). Read the Allocated column: managed bytes per operation, i.e.
// per request; the body itself is never copied on a hit. No Redis is needed: a memory-tier hit never
// touches it. The server's own per-request objects (Kestrel's HttpContext, header collections, the
// OnStarting list) are not in these figures. Results also land in BenchmarkDotNet.Artifacts/results/
// (git-ignored).

using BenchmarkDotNet.Running;

namespace CacheLayer.Bench.HitPath;

public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
