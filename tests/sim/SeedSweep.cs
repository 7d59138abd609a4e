using System.Collections.Concurrent;
using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Files;

namespace DhtPs.Simulation;

/// <summary>
/// Runs many seeds, each on its own single-threaded simulation, spread over the machine's cores.
/// Seeds share nothing, so running them in parallel does not disturb any one run's determinism.
/// </summary>
public static class SeedSweep
{
    public static IReadOnlyList<SimulationResult> Run(SimulationSettings settings, int firstSeed, int count, int? parallelism = null)
    {
        var results = new ConcurrentBag<SimulationResult>();
        Parallel.For(firstSeed, firstSeed + count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism ?? Environment.ProcessorCount },
            seed => results.Add(SimulationRunner.Run(settings, seed)));
        return results.OrderBy(r => r.Seed).ToArray();
    }

    public static FileTally TotalFiles(IEnumerable<SimulationResult> results) =>
        results.Aggregate(FileTally.None, (total, result) => total.Add(result.Files));

    public static FetchAvailability TotalAvailability(IEnumerable<SimulationResult> results) =>
        results.Aggregate(FetchAvailability.None, (total, result) => total.Add(result.Availability));

    public static NetworkStatistics Total(IEnumerable<SimulationResult> results)
    {
        var total = new NetworkStatistics();
        foreach (var result in results)
            total.Add(result.Network);
        return total;
    }
}
