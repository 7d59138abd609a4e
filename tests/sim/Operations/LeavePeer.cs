namespace DhtPs.Simulation.Operations;

/// <summary>A member departs gracefully (SPEC §5): it tells its predecessors its successors, stops, and never comes back.</summary>
public sealed record LeavePeer(ulong Id) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Leave(ring[Id]);

    public override string ToString() => $"leave peer {Id}";
}
