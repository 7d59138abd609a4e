namespace DhtPs.Simulation.Operations;

/// <summary>
/// One thing a schedule does to the ring at a step, applied on the simulation thread at the current instant.
/// ToString is what the trace and a failure report show.
/// </summary>
public interface ISimulationOperation
{
    void Apply(SimulatedRing ring);
}
