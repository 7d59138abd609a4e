namespace DhtPs.Simulation.Invariants;

/// <summary>What <see cref="FileInvariant.Check"/> found.</summary>
/// <param name="AwaitingTakeOver">Files at a later peer than their owner because the owner came back without joining or the store came from off the ring (see <see cref="FileInvariant"/>).</param>
public sealed record FileCheck(IReadOnlyList<InvariantViolation> Violations, int AwaitingTakeOver);
