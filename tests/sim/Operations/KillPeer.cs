namespace DhtPs.Simulation.Operations;

/// <summary>
/// A crash for good: unlike <see cref="CrashPeer"/>, the ring can become calm again without the peer,
/// so the calm invariants check that it has been repaired out of every successor list.
/// </summary>
public sealed record KillPeer(ulong Id) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Kill(ring[Id]);

    public override string ToString() => $"kill peer {Id}";
}
