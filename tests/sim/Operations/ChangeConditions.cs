using DhtPs.Core.Transport.InMemory;

namespace DhtPs.Simulation.Operations;

/// <summary>Changes how datagrams fare from now on (loss, duplication, reordering, delay).</summary>
public sealed record ChangeConditions(NetworkConditions Conditions) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Network.Conditions = Conditions;

    public override string ToString() => $"network: {Conditions}";
}
