namespace DhtPs.Simulation.Operations;

/// <summary>A peer's process dies without a word; its host stops answering.</summary>
public sealed record CrashPeer(ulong Id) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Crash(ring[Id]);

    public override string ToString() => $"crash peer {Id}";
}
