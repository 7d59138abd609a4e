namespace DhtPs.Core.Transport.Faults;

/// <summary>
/// Faults a test injects into a peer's transport (<see cref="FaultInjectingNetwork"/>): a fraction of datagrams
/// dropped or delayed, on the way out, in, or both, and a fraction of TCP connects dropped (the caller waits out its
/// timeout, as for a peer that vanished) or delayed (the delay eats into its timeout). Off by default.
/// With a <see cref="Seed"/> every decision is reproducible: each kind of decision draws from its own
/// <see cref="Random"/> (see <see cref="FaultDice"/>), so the datagrams a peer sends lose the same ones on every run
/// however its receive side is timed.
/// </summary>
public sealed record FaultInjection
{
    /// <summary>No faults: the transport is used as it is.</summary>
    public static FaultInjection None { get; } = new();

    /// <summary>The fraction of datagrams dropped, each decided on its own (0 to 1).</summary>
    public double DatagramLossRate { get; init; }

    /// <summary>The fraction of the datagrams not dropped that are held back by <see cref="DatagramDelay"/>.</summary>
    public double DatagramDelayRate { get; init; }

    public TimeSpan DatagramDelay { get; init; }

    /// <summary>Which datagrams the loss and delay apply to: those this peer sends (the default), receives, or both.</summary>
    public FaultDirection DatagramDirection { get; init; } = FaultDirection.Send;

    /// <summary>
    /// The fraction of this peer's TCP exchanges (each request and each file stream it opens) that never get through,
    /// as if the connect were lost: decided per exchange, whether the transport would dial afresh or use a kept
    /// connection (issue 12), so a peer that keeps connections open still sees the configured fraction fail.
    /// </summary>
    public double ConnectLossRate { get; init; }

    /// <summary>The fraction of the exchanges not dropped that start only after <see cref="ConnectDelay"/>.</summary>
    public double ConnectDelayRate { get; init; }

    public TimeSpan ConnectDelay { get; init; }

    /// <summary>
    /// Endpoints this peer's datagrams and TCP exchanges never reach, whatever the rates: a broken route to those peers
    /// only, the rest of the network unaffected (what SWIM's indirect probes get around). Empty by default. An array, so
    /// that options that crossed a process as CliXml (an empty list then) still convert.
    /// </summary>
    public System.Net.IPEndPoint[] BlockedEndPoints { get; init; } = [];

    /// <summary>Whether <paramref name="to"/> is one of the <see cref="BlockedEndPoints"/> (an IPv4-mapped address counts as its IPv4 one).</summary>
    public bool Blocks(System.Net.IPEndPoint to)
    {
        if (BlockedEndPoints.Length == 0)
            return false;
        var plain = to.Address.IsIPv4MappedToIPv6 ? new System.Net.IPEndPoint(to.Address.MapToIPv4(), to.Port) : to;
        return BlockedEndPoints.Contains(plain);
    }

    /// <summary>Seeds the decisions so a run is reproducible; null draws a fresh seed for each transport.</summary>
    public int? Seed { get; init; }

    /// <summary>True when some fault can happen; otherwise the transport is not wrapped at all.</summary>
    public bool IsActive =>
        DatagramLossRate > 0 || (DatagramDelayRate > 0 && DatagramDelay > TimeSpan.Zero)
        || ConnectLossRate > 0 || (ConnectDelayRate > 0 && ConnectDelay > TimeSpan.Zero) || BlockedEndPoints.Length > 0;

    /// <summary>
    /// These faults as peer <paramref name="id"/> suffers them: the seed mixed with the id, so the members of a ring
    /// given one seed lose independent datagrams (not each its k-th one), and each loses the same ones on every run.
    /// </summary>
    public FaultInjection ForPeer(ulong id) =>
        Seed is { } seed ? this with { Seed = unchecked(seed * 1_000_003 + (int)(id ^ (id >> 32))) } : this;

    /// <summary>The longest delay: an hour, far past any timeout a peer uses.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public void Validate()
    {
        foreach (var (name, rate) in new[]
        {
            (nameof(DatagramLossRate), DatagramLossRate), (nameof(DatagramDelayRate), DatagramDelayRate),
            (nameof(ConnectLossRate), ConnectLossRate), (nameof(ConnectDelayRate), ConnectDelayRate),
        })
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate))
                throw new ArgumentOutOfRangeException(name, rate, $"{name} must be a fraction between 0 and 1.");
        }
        foreach (var (name, delay) in new[] { (nameof(DatagramDelay), DatagramDelay), (nameof(ConnectDelay), ConnectDelay) })
        {
            if (delay < TimeSpan.Zero || delay > MaxDelay)
                throw new ArgumentOutOfRangeException(name, delay, $"{name} must be between 0 and {MaxDelay}.");
        }
        if (BlockedEndPoints is null)
            throw new ArgumentNullException(nameof(BlockedEndPoints), "BlockedEndPoints cannot be null; leave it empty to block nothing.");
        if (DatagramDirection is not (FaultDirection.Send or FaultDirection.Receive or FaultDirection.Both))
            throw new ArgumentOutOfRangeException(nameof(DatagramDirection), DatagramDirection, "DatagramDirection must be Send, Receive or Both.");
    }

    public override string ToString() =>
        $"datagrams ({DatagramDirection}): loss {DatagramLossRate:0.###}, delay {DatagramDelayRate:0.###} x {DatagramDelay.TotalMilliseconds:0} ms; " +
        $"connects: loss {ConnectLossRate:0.###}, delay {ConnectDelayRate:0.###} x {ConnectDelay.TotalMilliseconds:0} ms; seed {(Seed is { } seed ? seed : "none")}" +
        (BlockedEndPoints.Length > 0 ? $"; blocked: {string.Join(", ", BlockedEndPoints)}" : "");
}
