namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// How an <see cref="InMemoryNetwork"/> treats datagrams: each is delayed uniformly in
/// [<see cref="MinDelay"/>, <see cref="MaxDelay"/>], and may be lost, duplicated, or held back
/// by up to <see cref="ReorderDelay"/> more so that later datagrams overtake it.
/// Request/response exchanges model a reliable stream: delayed, never lost or duplicated.
/// </summary>
public sealed record NetworkConditions
{
    public static NetworkConditions Reliable { get; } = new();

    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    public double LossRate { get; init; }
    public double DuplicateRate { get; init; }
    public double ReorderRate { get; init; }
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>True when no datagram can be lost: the only faults left are delay, duplication and reordering.</summary>
    public bool IsLossless => LossRate == 0;

    public void Validate()
    {
        if (MinDelay < TimeSpan.Zero || MaxDelay < MinDelay)
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), "Delays must satisfy 0 <= MinDelay <= MaxDelay.");
        if (ReorderDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReorderDelay), "ReorderDelay must not be negative.");
        foreach (var (name, rate) in new[] { (nameof(LossRate), LossRate), (nameof(DuplicateRate), DuplicateRate), (nameof(ReorderRate), ReorderRate) })
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate))
                throw new ArgumentOutOfRangeException(name, rate, "A rate must be between 0 and 1.");
        }
    }

    public override string ToString() =>
        $"delay {MinDelay.TotalMilliseconds:0.#}-{MaxDelay.TotalMilliseconds:0.#} ms, loss {LossRate:0.###}, duplicate {DuplicateRate:0.###}, reorder {ReorderRate:0.###}";
}
