using DhtPs.Simulation.Operations;

namespace DhtPs.Simulation.Schedules;

/// <summary>Chooses the operation of each step. A schedule may look at the ring; its randomness must come from <see cref="SimulatedRing.Random"/>.</summary>
public interface ISchedule
{
    ISimulationOperation Next(SimulatedRing ring, int step);
}
