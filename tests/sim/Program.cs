using System.Diagnostics;
using DhtPs.Simulation;
using DhtPs.Simulation.Schedules;

// Long runs of the deterministic simulation. Examples:
//   dotnet run --project tests/sim -c Release -- --seeds 1000 --peers 256
//   dotnet run --project tests/sim -c Release -- --seed 42 --peers 64 --trace      (replay one seed, printing its trace)
//   dotnet run --project tests/sim -c Release -- --bench 10000                      (a large ring until predecessors are learned)

var options = CommandLine.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
var settings = new SimulationSettings { Peers = options.Peers, Steps = options.Steps, UseCodec = options.Codec };

if (options.Bench is { } benchPeers)
{
    var outcome = RingBenchmark.Run(settings with { Peers = benchPeers }, options.FirstSeed, limit: TimeSpan.FromMinutes(10));
    Console.WriteLine($"{outcome.Peers} peers: {(outcome.Stable ? "stable (all predecessors learned)" : "NOT stable")} after {outcome.SimulatedTime.TotalSeconds:0} s simulated");
    Console.WriteLine($"wall time {outcome.WallTime.TotalSeconds:0.00} s, peak working set {outcome.PeakWorkingSetBytes / (1024.0 * 1024):0} MiB");
    Console.WriteLine($"{outcome.CallbacksRun} callbacks run, {outcome.TraceEntries} events, {outcome.DatagramsDelivered} datagrams delivered");
    return outcome.Stable ? 0 : 1;
}

if (options.Replay is { } seed)
{
    var result = SimulationRunner.Run(settings, seed, trace: options.Trace ? Console.Out : null);
    Console.WriteLine(result);
    Console.WriteLine(result.Network);
    return result.Passed ? 0 : 1;
}

var wall = Stopwatch.StartNew();
var results = SeedSweep.Run(settings, options.FirstSeed, options.Seeds);
var failed = results.Where(r => !r.Passed).ToArray();
foreach (var failure in failed)
{
    Console.WriteLine(failure);
    Console.WriteLine($"  replay: dotnet run --project tests/sim -c Release -- --seed {failure.Seed} --peers {settings.Peers} --steps {settings.Steps}{(settings.UseCodec ? " --codec" : "")} --trace");
}
Console.WriteLine($"{results.Count} seeds x {settings.Peers} peers x {settings.Steps} steps ({FaultBudget.Describe(settings)}): " +
    $"{results.Count - failed.Length} passed, {failed.Length} failed in {wall.Elapsed.TotalSeconds:0.0} s; " +
    $"{results.Sum(r => r.Crashes)} crashes, {results.Sum(r => r.Joins)} joins, {results.Sum(r => r.Leaves)} leaves, {results.Sum(r => r.Kills)} kills; {SeedSweep.Total(results)}");
return failed.Length == 0 ? 0 : 1;
