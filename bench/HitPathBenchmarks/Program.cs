// Allocations per cache hit (issue 5: under 1 KiB per request beyond the response body).
//
// Run from the repository root (Release; about 5 minutes on 2 cores):
//
//   dotnet run -c Release --project bench/HitPathBenchmarks -- --filter '*'
//
// HitPathBenchmarks gives the figures (KeyBuilding, MemoryTierHit and its variants, RedisEntryDecode;
// `--filter '*HitPathBenchmarks.*'` for those alone, about 1.5 minutes); HitPathPartsBenchmarks takes
// the hit apart step by step, in the filter's order, to attribute its bytes (`--filter '*Parts*'`).
// Read the Allocated column: managed bytes per operation, i.e. per request; the body itself is
// never copied on a hit. No Redis is needed: a memory-tier hit never touches it. Results also land
// in BenchmarkDotNet.Artifacts/results/ (git-ignored).

using BenchmarkDotNet.Running;

namespace CacheLayer.Bench.HitPath;

public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
