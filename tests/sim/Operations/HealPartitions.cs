namespace DhtPs.Simulation.Operations;

/// <summary>Ends every partition.</summary>
public sealed record HealPartitions : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.HealPartitions();

    public override string ToString() => "heal partitions";
}
