namespace DhtPs.Simulation.Invariants;

/// <summary>What <see cref="FileInvariant.Check"/> found.</summary>
/// <param name="AwaitingTakeOver">Files at a later peer than their owner because the ring changed around the store (see <see cref="FileInvariant"/>).</param>
public sealed record FileCheck(IReadOnlyList<InvariantViolation> Violations, int AwaitingTakeOver);
