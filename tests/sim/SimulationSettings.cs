using DhtPs.Core.Transport.InMemory;

namespace DhtPs.Simulation;

/// <summary>The shape of one simulated run; the seed is given separately so one settings object serves a sweep.</summary>
public sealed record SimulationSettings
{
    public int Peers { get; init; } = 64;

    /// <summary>Null picks enough bits to spread the peers sparsely (at least the default 8).</summary>
    public int? IdBits { get; init; }

    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(1);
    public int MissedPingLimit { get; init; } = 3;

    /// <summary>
    /// Mixed ping intervals, as in issue 13's flap: every <see cref="SlowPeerEvery"/>-th peer (by its position among
    /// the peers started, counting from 1) pings at this interval instead of <see cref="PingInterval"/>. Null, the
    /// default, gives every peer the one interval.
    /// </summary>
    public TimeSpan? SlowPingInterval { get; init; }

    public int SlowPeerEvery { get; init; } = 2;

    /// <summary>How many helpers ping a suspect for a peer (<see cref="DhtPs.Core.Peer.PeerOptions.IndirectProbes"/>); 0 turns SWIM's indirect probes off.</summary>
    public int IndirectProbes { get; init; } = DhtPs.Core.Peer.PeerOptions.DefaultIndirectProbes;

    /// <summary>The ping interval of the peer started <paramref name="index"/>-th (from 0).</summary>
    public TimeSpan PingIntervalOf(int index) =>
        SlowPingInterval is { } slow && index % SlowPeerEvery == SlowPeerEvery - 1 ? slow : PingInterval;

    /// <summary>The longest interval any peer pings at: what every settling time must allow for.</summary>
    public TimeSpan LongestPingInterval => SlowPingInterval is { } slow && slow > PingInterval ? slow : PingInterval;

    /// <summary>
    /// Check predecessor learning at calm points (<see cref="Invariants.PredecessorInvariant"/>). On in every run today,
    /// mixed intervals too (a pinger says its interval, so a 1 s peer keeps its 30 s predecessor between that one's
    /// pings); off only to watch something else.
    /// </summary>
    public bool CheckPredecessorLearning { get; init; } = true;

    /// <summary>
    /// Fail the run as soon as a peer takes back as a successor a peer it declared dead that is still down, not
    /// restarted since (<see cref="Invariants.DeadPeerReadoptions"/>). Off by default: every run counts them anyway.
    /// </summary>
    public bool RequireDeadStayDead { get; init; }

    /// <summary>Operations applied after the ring has formed; each is followed by <see cref="StepLength"/> of simulated time.</summary>
    public int Steps { get; init; } = 30;

    public TimeSpan StepLength { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a newcomer waits for the verdict on its join before it gives up (the cmdlets' default is 30 s).</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pass every message through the codec, to catch messages that do not survive the wire.</summary>
    public bool UseCodec { get; init; }

    /// <summary>The delays of a calm network; chaos steps add loss, duplication and reordering on top.</summary>
    public NetworkConditions CalmNetwork { get; init; } = NetworkConditions.Reliable;

    /// <summary>Whether peers keep their finger tables fresh (<see cref="DhtPs.Core.Peer.PeerOptions.MaintainFingers"/>).</summary>
    public bool MaintainFingers { get; init; } = true;

    /// <summary>How peers route (<see cref="DhtPs.Core.Peer.PeerOptions.Routing"/>): fingers, as the cmdlets do by default.</summary>
    public DhtPs.Core.Peer.RoutingMode Routing { get; init; } = DhtPs.Core.Peer.RoutingMode.Fingers;

    /// <summary>
    /// The successor-list length r of the protocol (<see cref="DhtPs.Core.Peer.PeerOptions.SuccessorCount"/>): init rings
    /// configure two successors, and peers learn the rest from their first successor.
    /// </summary>
    public int SuccessorListLength { get; init; } = 2;

    /// <summary>
    /// How many peers hold each file (<see cref="DhtPs.Core.Peer.PeerOptions.ReplicationFactor"/>); 1, the original single
    /// copy, unless a run asks for more. The successor list must then be at least r + 1 long.
    /// </summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>
    /// Files stored once the init ring has formed, before the steps; with any, every step also fetches one stored file
    /// from a random live peer besides its own operation, so availability during churn is measured on many fetches.
    /// </summary>
    public int InitialFiles { get; init; }

    public int EffectiveIdBits => IdBits ?? Math.Max(8, (int)Math.Ceiling(Math.Log2(Peers * 4.0)));

    /// <summary>How long a peer waits for the answer to a request (the peers' default).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the ring must be calm (no loss, partition or crashed peer) before predecessor learning must have converged:
    /// long enough for every silent predecessor to be forgotten and every live one to ping again, with the largest delay,
    /// after a member that was cut off has given up on the requests it sent across the cut: it asks its r successors
    /// in turn, and each request lost at the cut fails only at the request timeout.
    /// </summary>
    public TimeSpan SettleTime => RequestTimeout * SuccessorListLength + LongestPingInterval * (MissedPingLimit + 12) + CalmNetwork.MaxDelay * 2;

    public void Validate()
    {
        if (ReplicationFactor < 1 || SuccessorListLength < ReplicationFactor + 1 && ReplicationFactor > 1)
            throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor, $"A replication factor r needs a successor list of at least r + 1 (it is {SuccessorListLength}).");
        if (Peers < SuccessorListLength + 1)
            throw new ArgumentOutOfRangeException(nameof(Peers), Peers, $"An init ring needs at least r + 1 = {SuccessorListLength + 1} peers.");
        if (Math.Pow(2, EffectiveIdBits) < Peers)
            throw new ArgumentOutOfRangeException(nameof(IdBits), IdBits, $"{Peers} peers do not fit in {EffectiveIdBits}-bit ids.");
        if (SlowPingInterval is { } slow && slow <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SlowPingInterval), slow, "The slow ping interval must be positive.");
        if (SlowPeerEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(SlowPeerEvery), SlowPeerEvery, "SlowPeerEvery must be at least 1.");
        if (Steps < 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must not be negative.");
        CalmNetwork.Validate();
    }
}
