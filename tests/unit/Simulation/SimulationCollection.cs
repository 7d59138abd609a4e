namespace DhtPs.Tests.Unit.Simulation;

/// <summary>
/// The seed sweeps keep every core busy. Run alone, so they do not starve the real-socket tests,
/// whose peers live on thread-pool timers and actor loops, of CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SimulationCollection
{
    public const string Name = "Simulation sweeps";
}
