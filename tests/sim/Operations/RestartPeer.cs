namespace DhtPs.Simulation.Operations;

/// <summary>A crashed peer starts again from its init options (same id, same endpoint, no memory).</summary>
public sealed record RestartPeer(ulong Id) : ISimulationOperation
{
    public void Apply(SimulatedRing ring) => ring.Restart(ring[Id]);

    public override string ToString() => $"restart peer {Id}";
}
