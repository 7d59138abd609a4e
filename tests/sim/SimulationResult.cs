using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Files;

namespace DhtPs.Simulation;

/// <summary>How one seed went. <see cref="TraceHash"/> identifies the whole run: the same seed gives the same hash.</summary>
public sealed record SimulationResult(
    int Seed,
    string? Failure,
    ulong TraceHash,
    long TraceEntries,
    int StepsRun,
    int InvariantChecks,
    int PredecessorChecks,
    int Crashes,
    TimeSpan SimulatedTime,
    NetworkStatistics Network)
{
    /// <summary>What the schedule did with files; none for a run before any was stored.</summary>
    public FileTally Files { get; init; } = FileTally.None;

    public FetchAvailability Availability { get; init; } = FetchAvailability.None;

    public int Joins { get; init; }
    public int Leaves { get; init; }
    public int Kills { get; init; }

    /// <summary>Dead peers taken back as successors while still down (<see cref="Invariants.DeadPeerReadoptions"/>); counted in every run.</summary>
    public IReadOnlyList<Invariants.Readoption> Readoptions { get; init; } = [];

    public bool Passed => Failure is null;

    public override string ToString() => Passed
        ? $"seed {Seed}: passed, {StepsRun} steps ({Crashes} crashes, {Joins} joins, {Leaves} leaves, {Kills} kills), " +
          $"{SimulatedTime.TotalSeconds:0} s simulated, {Files}, {Availability}, {Readoptions.Count} dead peer(s) taken back, trace {TraceHash:x16} ({TraceEntries} entries)"
        : $"seed {Seed}: FAILED {Failure}";
}
