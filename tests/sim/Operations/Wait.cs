namespace DhtPs.Simulation.Operations;

/// <summary>Lets the ring run undisturbed for a step.</summary>
public sealed record Wait : ISimulationOperation
{
    public void Apply(SimulatedRing ring)
    {
    }

    public override string ToString() => "wait";
}
