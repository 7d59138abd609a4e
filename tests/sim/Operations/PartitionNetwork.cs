namespace DhtPs.Simulation.Operations;

/// <summary>Cuts a set of peers off from the rest until the network heals.</summary>
public sealed record PartitionNetwork(IReadOnlyList<ulong> Island) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Partition(Island);

    public override string ToString() => $"partition off peers {string.Join(",", Island)}";
}
