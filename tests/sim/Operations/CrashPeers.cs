namespace DhtPs.Simulation.Operations;

/// <summary>Several peers' processes die at the same instant, each taking its disk with it (a rack losing power).</summary>
public sealed record CrashPeers(params ulong[] Ids) : ISimulationOperation
{
    public void Apply(SimulatedRing ring)
    {
        foreach (var id in Ids)
            ring.Crash(ring[id]);
    }

    public override string ToString() => $"crash peers {string.Join(", ", Ids)} at once";
}
