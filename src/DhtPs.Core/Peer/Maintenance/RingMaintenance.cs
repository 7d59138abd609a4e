using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// Keeps this peer's place in the ring right: it joins (SPEC §4, the newcomer's side), admits joiners (the ring's side),
/// departs and takes over from a departing successor (§5), declares the dead the <see cref="FailureDetection.FailureDetector"/>
/// finds and repairs around them (§6), and stabilizes once a round. Every change it makes goes to the
/// <see cref="Neighborhood"/> and is said in the original's words ("My new first successor is Peer 15").
/// <para>
/// Owns: the join under way and the joins deferred meanwhile, the repair under way (and one pending), the stabilization
/// under way and the change it proposed. Runs only on the logical thread; the rest of the peer is its context.
/// </para>
/// </summary>
internal sealed partial class RingMaintenance
{
    private readonly IRingMaintenanceContext _context;
    private readonly Neighborhood _neighborhood;
    private readonly PeerOptions _options;

    public RingMaintenance(IRingMaintenanceContext context, Neighborhood neighborhood, PeerOptions options)
    {
        _context = context;
        _neighborhood = neighborhood;
        _options = options;
    }

    /// <summary>This peer has just been accepted into a ring, right after the acceptor (its first predecessor).</summary>
    public event Action<PeerContact>? Joined;

    /// <summary>
    /// Repair or stabilization just gave this peer a new successor list from the answer of the peer now ahead of it (that
    /// peer, its answer): a peer back on the ring without a join may own files stored there meanwhile.
    /// </summary>
    public event Action<PeerContact, NeighborsResponse>? Relinked;

    private PeerContact Self => _context.Self;

    private IdSpace Space => _context.Space;

    private PeerStatus Status => _context.Status;

    /// <summary>
    /// Once per ping round: a repair left pending is tried again unless the failure detector is asking a suspect over TCP
    /// (its verdict repairs anyway), then the ring is stabilized.
    /// </summary>
    public void OnPingRound(int confirmationsUnderWay)
    {
        if (confirmationsUnderWay == 0 && _repairPending)
            RepairSuccessors();
        Stabilize();
    }

    /// <summary>
    /// Says each newly dead successor is gone and repairs. The list is never emptied: when nobody live is left
    /// ahead, the dead stay as candidates (a false positive under loss or a partition comes back this way).
    /// </summary>
    public void DeclareDead(IReadOnlyCollection<ulong> ids)
    {
        foreach (var id in _neighborhood.DeclareDead(ids, _context.Now))
            _context.Raise(DhtEventKind.SuccessorDead, $"Peer {id} is no longer alive", id);
        RepairSuccessors();
    }

    /// <summary>The failure detector found a successor dead: declared so with its evidence on the event, then repaired.</summary>
    public void DeclareDead(FailureEvidence evidence)
    {
        foreach (var id in _neighborhood.DeclareDead([evidence.PeerId], _context.Now))
            _context.Raise(DhtEventKind.SuccessorDead, $"Peer {id} is no longer alive", id, evidence);
        RepairSuccessors();
    }

    private void Ask(PeerContact to, Message request, Action<Reply> onReply) => _context.Ask(to.ToEndPoint(), request, onReply);

    private NeighborsRequest NeighborsQuery() => new() { Sender = Self, IdBits = Space.Bits };

    private Acknowledgement Ack() => new() { Sender = Self, IdBits = Space.Bits };

    private ErrorResponse Refuse(ErrorCode code, string reason) => new() { Sender = Self, IdBits = Space.Bits, Code = code, Reason = reason };

    private IReadOnlyList<PeerContact> CurrentSuccessors() => _neighborhood.Successors;

    private IReadOnlyList<PeerContact> LiveSuccessors() => _neighborhood.LiveSuccessors;

    private IReadOnlyList<PeerContact> CurrentPredecessors() => _neighborhood.Predecessors;

    private void SetSuccessors(IEnumerable<PeerContact> successors) => _neighborhood.SetSuccessors(successors);

    private IReadOnlyList<PeerContact> ComposeSuccessors(IEnumerable<PeerContact> candidates, IReadOnlySet<ulong>? gone = null) =>
        _neighborhood.Compose(candidates, gone);

    private HashSet<ulong> RecentlyDead() => _neighborhood.RecentlyDead(_context.Now);

    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

    /// <summary>"first", "second", … as the original says; "11th" and so on past ten.</summary>
    private static string Ordinal(int index) => index < Ordinals.Length ? Ordinals[index] : $"{index + 1}th";

    /// <summary>Says what the successor list now is, in the original's words ("My new first successor is Peer 15").</summary>
    private void AnnounceSuccessors(bool initial = false)
    {
        var successors = _neighborhood.Successors;
        for (var i = 0; i < successors.Count; i++)
        {
            var id = successors[i].Id;
            _context.Raise(DhtEventKind.SuccessorChanged,
                initial ? $"My {Ordinal(i)} successor is Peer {id}" : $"My new {Ordinal(i)} successor is Peer {id}", id);
        }
    }

    /// <summary>Like <see cref="AnnounceSuccessors"/>, but only for the places whose peer differs from <paramref name="previous"/>.</summary>
    private void AnnounceChangedSuccessors(IReadOnlyList<ulong> previous)
    {
        var successors = _neighborhood.Successors;
        for (var i = 0; i < successors.Count; i++)
        {
            var id = successors[i].Id;
            if (i >= previous.Count || previous[i] != id)
                _context.Raise(DhtEventKind.SuccessorChanged, $"My new {Ordinal(i)} successor is Peer {id}", id);
        }
    }
}
