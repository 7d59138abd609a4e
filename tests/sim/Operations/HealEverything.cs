namespace DhtPs.Simulation.Operations;

/// <summary>The end of a chaos phase: partitions heal, the network calms down and every crashed peer restarts (the gone stay gone).</summary>
public sealed record HealEverything : ISimulationOperation
{
    public void Apply(SimulatedRing ring)
    {
        ring.HealPartitions();
        ring.Network.Conditions = ring.Settings.CalmNetwork;
        foreach (var peer in ring.Peers.Where(p => p is { IsUp: false, IsGone: false }))
            ring.Restart(peer);
    }

    public override string ToString() => "heal everything";
}
