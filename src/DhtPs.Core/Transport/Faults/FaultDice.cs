namespace DhtPs.Core.Transport.Faults;

/// <summary>
/// The seeded decisions of one faulty transport. Each kind of decision has its own stream, so one kind's timing never
/// shifts another's: stream k is <c>new Random(Seed + k)</c>, with k = 0 for the loss of datagrams sent, 1 their delay,
/// 2 the loss of datagrams received, 3 their delay, 4 the loss of connects, 5 their delay. Each decision is one
/// <see cref="Random.NextDouble"/> below the rate, drawn only when the rate is above 0. Thread-safe.
/// </summary>
internal sealed class FaultDice(int? seed)
{
    public enum Kind { SendLoss, SendDelay, ReceiveLoss, ReceiveDelay, ConnectLoss, ConnectDelay }

    private readonly Random[] _streams = Enum.GetValues<Kind>()
        .Select(kind => seed is { } s ? new Random(unchecked(s + (int)kind)) : new Random())
        .ToArray();

    /// <summary>Whether this <paramref name="kind"/> of fault strikes now, at <paramref name="rate"/>.</summary>
    public bool Strikes(Kind kind, double rate)
    {
        if (rate <= 0)
            return false;
        var stream = _streams[(int)kind];
        lock (stream)
            return stream.NextDouble() < rate;
    }
}
