using System.Diagnostics;
using DhtPs.Simulation;
using DhtPs.Simulation.Schedules;

// Long runs of the deterministic simulation. Examples:
//   dotnet run --project tests/sim -c Release -- --seeds 1000 --peers 256
//   dotnet run --project tests/sim -c Release -- --seed 42 --peers 64 --trace      (replay one seed, printing its trace)
//   dotnet run --project tests/sim -c Release -- --bench 10000                      (a large ring until stable and fingers fixed, then 10,000 lookups, 1,000 stores and fetches)
//   dotnet run --project tests/sim -c Release -- --mixed-flap --seeds 20 --steps 60  (issue 13's flap: 1 s and 30 s peers, one killed, 60 s watched)
//   dotnet run --project tests/sim -c Release -- --seeds 100 --slow-interval 30 --dead-stay-dead   (chaos with mixed intervals, failing on a dead peer taken back)
//   dotnet run --project tests/sim -c Release -- --measure-repair 1000              (issue 13: crash to repair, in ping intervals, over 1,000 crashes)
//   dotnet run --project tests/sim -c Release -- --measure-loss 5 --minutes 60      (issue 13: false evictions in an hour at 5 % datagram loss)
//   dotnet run --project tests/sim -c Release -- --measure-stall 3 --minutes 60     (issue 13: one peer at a time cut off for 3 intervals)
//   dotnet run --project tests/sim -c Release -- --measure-link-cut 10 --minutes 60  (issue 13: one peer's path to its first successor cut, both ways, 10 intervals at a time)
//   dotnet run --project tests/sim -c Release -- --measure-link-cut 10 --indirect-probes 0   (the same without SWIM's indirect probes)

var options = CommandLine.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
var settings = new SimulationSettings
{
    Peers = options.Peers, Steps = options.Steps, UseCodec = options.Codec, SuccessorListLength = options.Successors, ReplicationFactor = options.Replicas, InitialFiles = options.Files,
    Routing = options.SuccessorRouting ? DhtPs.Core.Peer.RoutingMode.Successor : DhtPs.Core.Peer.RoutingMode.Fingers,
    SlowPingInterval = options.SlowInterval is { } slow ? TimeSpan.FromSeconds(slow) : null, SlowPeerEvery = options.SlowEvery,
    RequireDeadStayDead = options.DeadStayDead, IndirectProbes = options.IndirectProbes,
};

if (options.MeasureRepair is { } crashes)
{
    var started = Stopwatch.StartNew();
    var outcome = DetectorMeasurements.CrashToRepair(settings, options.FirstSeed, crashes, options.ProcessCrash, options.Trace ? Console.Out : null);
    Console.WriteLine($"{settings.Peers} peers at {settings.PingInterval.TotalSeconds:0.#} s, seed {options.FirstSeed}, " +
        $"{(options.ProcessCrash ? "process crashes (host up, connections refused)" : "host crashes (dark: questions time out)")}: {outcome} ({started.Elapsed.TotalSeconds:0} s wall)");
    return outcome.NotRepaired == 0 ? 0 : 1;
}

if (options.MeasureLossPercent is not null || options.MeasureStall is not null || options.MeasureLinkCut is not null)
{
    var started = Stopwatch.StartNew();
    var conditions = settings.CalmNetwork with { LossRate = (options.MeasureLossPercent ?? 0) / 100.0 };
    var outcome = DetectorMeasurements.FalseEvictions(settings, options.FirstSeed, conditions, TimeSpan.FromMinutes(options.Minutes), options.MeasureStall ?? 0, options.MeasureLinkCut ?? 0);
    Console.WriteLine($"seed {options.FirstSeed}: {outcome} ({started.Elapsed.TotalSeconds:0} s wall)");
    return 0;
}

if (options.MixedFlap)
{
    var scenario = MixedIntervalScenario.Settings(TimeSpan.FromSeconds(options.Steps), settings.SlowPingInterval) with
    {
        RequireDeadStayDead = options.DeadStayDead, UseCodec = options.Codec,
    };
    var outcomes = Enumerable.Range(options.Replay ?? options.FirstSeed, options.Replay is null ? options.Seeds : 1)
        .Select(seed => MixedIntervalScenario.Run(scenario, seed, options.Trace ? Console.Out : null)).ToArray();
    foreach (var outcome in outcomes)
        Console.WriteLine(outcome);
    var taken = outcomes.Select(o => o.ReadoptionsWhileObserved).Order().ToArray();
    Console.WriteLine($"{outcomes.Length} seeds x {scenario.Peers} peers (1 s and {scenario.LongestPingInterval.TotalSeconds:0} s alternating), one killed, " +
        $"{options.Steps} s watched: {outcomes.Count(o => o.ReadoptionsWhileObserved > 0)} with the dead peer taken back; readoptions per seed " +
        $"min {taken[0]}, median {taken[taken.Length / 2]}, max {taken[^1]}; {outcomes.Count(o => !o.Result.Passed)} runs failed");
    return outcomes.All(o => o.Result.Passed && o.ReadoptionsWhileObserved == 0) ? 0 : 1;
}

if (options.Bench is { } benchPeers)
{
    var outcome = RingBenchmark.Run(settings with { Peers = benchPeers }, options.FirstSeed, limit: TimeSpan.FromMinutes(10),
        lookups: options.Lookups, successorOnlyLookups: Math.Max(1, options.Lookups / 100), files: Math.Max(1, options.Lookups / 10));
    Console.WriteLine($"{outcome.Peers} peers, {(settings with { Peers = benchPeers }).EffectiveIdBits}-bit ids, seed {options.FirstSeed}:");
    foreach (var phase in outcome.Phases)
        Console.WriteLine($"  {phase.Name}: {(phase.Reached ? "" : "NOT REACHED, ")}{phase.SimulatedTime.TotalSeconds:0.0} s simulated, {phase.WallTime.TotalSeconds:0.00} s wall, {phase.CpuTime.TotalSeconds:0.00} s CPU");
    Console.WriteLine($"  with fingers:       {outcome.Lookups}");
    Console.WriteLine($"                      {outcome.Files.Stores}");
    Console.WriteLine($"                      {outcome.Files.Fetches}");
    Console.WriteLine($"  routing Successor:  {outcome.SuccessorOnly}");
    Console.WriteLine($"                      {outcome.SuccessorOnlyFiles.Stores}");
    Console.WriteLine($"                      {outcome.SuccessorOnlyFiles.Fetches}");
    foreach (var wrong in new[] { outcome.Lookups, outcome.Files.Stores, outcome.Files.Fetches, outcome.SuccessorOnly, outcome.SuccessorOnlyFiles.Stores, outcome.SuccessorOnlyFiles.Fetches }
        .SelectMany(s => s.Wrong).Take(10))
        Console.WriteLine($"  WRONG: {wrong}");
    Console.WriteLine($"  peak working set {outcome.PeakWorkingSetBytes / (1024.0 * 1024):0} MiB, managed heap {outcome.ManagedHeapBytes / (1024.0 * 1024):0} MiB (with fingers, after the lookups)");
    Console.WriteLine($"  {outcome.CallbacksRun} callbacks run, {outcome.DatagramsDelivered} datagrams delivered, {outcome.RequestsSent} requests sent (with fingers)");
    return outcome.Passed ? 0 : 1;
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
    Console.WriteLine($"  replay: dotnet run --project tests/sim -c Release -- --seed {failure.Seed} --peers {settings.Peers} --steps {settings.Steps}{(settings.UseCodec ? " --codec" : "")}" +
        $"{(options.SuccessorRouting ? " --routing-successor" : "")}{(options.Successors != 2 ? $" --successors {options.Successors}" : "")}{(options.Replicas != 1 ? $" --replicas {options.Replicas}" : "")}{(options.Files != 0 ? $" --files {options.Files}" : "")} --trace");
}
Console.WriteLine($"{results.Count} seeds x {settings.Peers} peers x {settings.Steps} steps ({FaultBudget.Describe(settings)}): " +
    $"{results.Count - failed.Length} passed, {failed.Length} failed in {wall.Elapsed.TotalSeconds:0.0} s; " +
    $"{results.Sum(r => r.Crashes)} crashes, {results.Sum(r => r.Joins)} joins, {results.Sum(r => r.Leaves)} leaves, {results.Sum(r => r.Kills)} kills; " +
    $"{SeedSweep.Total(results)}; {SeedSweep.TotalFiles(results)}; {SeedSweep.TotalAvailability(results)}; {results.Sum(r => r.Readoptions.Count)} dead peer(s) taken back while still down");
return failed.Length == 0 ? 0 : 1;
