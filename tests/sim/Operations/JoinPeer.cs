namespace DhtPs.Simulation.Operations;

/// <summary>A newcomer with a fresh id starts on its own host and joins through a live member (SPEC §4).</summary>
public sealed record JoinPeer(ulong Id, ulong Via) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Join(Id, ring[Via]);

    public override string ToString() => $"join peer {Id} through peer {Via}";
}
