using DhtPs.Simulation.Operations;

namespace DhtPs.Simulation.Schedules;

/// <summary>A fixed list of operations, one per step, then waiting: for tests that need one exact story.</summary>
public sealed class ScriptedSchedule(params ISimulationOperation[] operations) : ISchedule
{
    public ISimulationOperation Next(SimulatedRing ring, int step) =>
        step <= operations.Length ? operations[step - 1] : new Wait();
}
