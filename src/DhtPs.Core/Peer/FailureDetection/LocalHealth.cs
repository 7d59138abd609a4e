namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// Lifeguard's local health multiplier (Dadgar et al., "Lifeguard: Local Health Awareness for More Accurate Failure
/// Detection", 2018): a score from 0 to <see cref="MaxScore"/> of how much this peer's own trouble — not its targets' —
/// may explain the silence it sees. It rises when a helper asked for an indirect probe sends back neither an answer nor a
/// nack (the way to the helpers is failing, not only the way to the target), when this peer's own ping round fires late
/// (its thread or host is stalled), and when it must refute a death told of itself (others could not hear it); it falls by
/// one with every round ping answered in time. A peer multiplies its wait before it accuses anyone by
/// <see cref="Multiplier"/>. Owned by the <see cref="FailureDetector"/>; not thread-safe.
/// </summary>
public sealed class LocalHealth
{
    /// <summary>Lifeguard's own bound (memberlist's AwarenessMaxMultiplier − 1): a peer at its worst waits 9 times as long.</summary>
    public const int MaxScore = 8;

    public int Score { get; private set; }

    /// <summary>How many times its normal wait a peer waits before it accuses another: <see cref="Score"/> + 1.</summary>
    public int Multiplier => Score + 1;

    /// <summary>Something says the trouble may be this peer's own (<paramref name="by"/> times): the score rises, to at most <see cref="MaxScore"/>.</summary>
    public void Worse(int by = 1) => Score = Math.Clamp(Score + by, 0, MaxScore);

    /// <summary>A probe of its own was answered in time: the score falls by one, to at least 0.</summary>
    public void Better() => Score = Math.Max(0, Score - 1);
}
