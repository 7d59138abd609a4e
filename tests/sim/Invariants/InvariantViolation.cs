namespace DhtPs.Simulation.Invariants;

/// <summary>An invariant that does not hold, named as in Zave's paper where it comes from there.</summary>
public sealed record InvariantViolation(string Invariant, string Detail)
{
    public override string ToString() => $"{Invariant}: {Detail}";
}
