using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// Who is next to this peer: its successor links (<see cref="PeerOptions.SuccessorCount"/> long), its predecessors by
/// rank (learned from their pings), and the deaths it holds with the incarnations it knows (<see cref="DeathMemory"/>:
/// those it declared and those it heard of). Owns that state alone; other parts of the peer
/// ask through these members and learn of changes through <see cref="Changed"/> and <see cref="SuccessorDeclaredDead"/>.
/// Runs only on the peer's logical thread, on the clock it is given. Membership only: how each successor answers its
/// probes is the <see cref="FailureDetection.FailureDetector"/>'s, which follows these links through <see cref="Changed"/>.
/// </summary>
internal sealed class Neighborhood
{
    private readonly IdSpace _space;
    private readonly ulong _self;
    private readonly int _length;
    private readonly List<SuccessorLink> _successors = [];
    private readonly PredecessorSlot?[] _predecessors;
    private readonly DeathMemory _deaths;

    /// <summary>
    /// (limit + 1) intervals of this peer: how long a death is gossiped, and how long a predecessor that did not say its
    /// interval may stay silent before it is forgotten.
    /// </summary>
    private readonly TimeSpan _silence;

    private readonly TimeSpan _interval;
    private readonly int _missedPingLimit;

    public Neighborhood(IdSpace space, ulong self, PeerOptions options)
    {
        _space = space;
        _self = self;
        _length = options.SuccessorCount;
        _predecessors = new PredecessorSlot?[options.SuccessorCount];
        _interval = options.PingInterval;
        _missedPingLimit = options.MissedPingLimit;
        _silence = options.PingInterval * (options.MissedPingLimit + 1);
        _deaths = new DeathMemory(gossipWindow: _silence, unnumberedMemory: _silence);
    }

    /// <summary>The successor list or the predecessors changed: raised after the change, on the logical thread.</summary>
    public event Action? Changed;

    /// <summary>A successor was just declared dead (its id).</summary>
    public event Action<ulong>? SuccessorDeclaredDead;

    /// <summary>Another peer's message told of a death this peer did not hold (the peer, at the incarnation that died).</summary>
    public event Action<PeerIncarnation>? DeathHeard;

    /// <summary>The successor links, nearest first, the dead candidates among them.</summary>
    public IReadOnlyList<SuccessorLink> Links => _successors;

    public int Count => _successors.Count;

    public IReadOnlyList<PeerContact> Successors => _successors.Select(s => s.Contact).ToArray();

    /// <summary>The successors not declared dead.</summary>
    public IReadOnlyList<PeerContact> LiveSuccessors => _successors.Where(l => !l.Dead).Select(l => l.Contact).ToArray();

    public PeerContact? FirstSuccessor => _successors.FirstOrDefault()?.Contact;

    public PeerContact? FirstLiveSuccessor => _successors.FirstOrDefault(l => !l.Dead)?.Contact;

    public ulong[] SuccessorIds() => _successors.Select(l => l.Contact.Id).ToArray();

    public bool AnyDead => _successors.Any(l => l.Dead);

    /// <summary>The known predecessors, by rank; ranks not heard from are left out (architecture.md section 9).</summary>
    public IReadOnlyList<PeerContact> Predecessors => _predecessors.OfType<PredecessorSlot>().Select(p => p.Contact).ToArray();

    public PeerContact? FirstPredecessor => _predecessors.OfType<PredecessorSlot>().FirstOrDefault()?.Contact;

    public bool Lists(ulong id) => _successors.Any(l => l.Contact.Id == id);

    /// <summary>The live link to <paramref name="id"/>, if it is a successor not declared dead.</summary>
    private SuccessorLink? LiveLinkTo(ulong id) => _successors.FirstOrDefault(l => l.Contact.Id == id && !l.Dead);

    /// <summary>The successor list <paramref name="candidates"/> make for this peer (<see cref="SuccessorList.Compose"/>, this peer's length).</summary>
    public IReadOnlyList<PeerContact> Compose(IEnumerable<PeerContact> candidates, IReadOnlySet<ulong>? gone = null) =>
        SuccessorList.Compose(_space, _self, candidates, gone, _length);

    /// <summary>Replaces the successor list; every peer on it counts as live (a dead candidate listed again is asked again).</summary>
    public void SetSuccessors(IEnumerable<PeerContact> successors)
    {
        var next = successors.Select(c => new SuccessorLink(c)).ToList();
        _successors.Clear();
        _successors.AddRange(next);
        Changed?.Invoke();
    }

    /// <summary>Every peer this one knew of is dead: it is alone, a ring of one that others can still join.</summary>
    public void Clear()
    {
        _successors.Clear();
        Changed?.Invoke();
    }

    /// <summary>
    /// A ping at <paramref name="rank"/> from <paramref name="pinger"/>. Zave's rectify: the pinger takes the slot when it
    /// already holds it, when it is closer than the holder, or when the holder has missed its last ping (dead, silent, or
    /// now pinging at another rank); two peers pinging at one rank then settle on the closer one instead of taking turns.
    /// A rank beyond this peer's count (the pinger keeps a longer list) is not remembered. <paramref name="interval"/> is
    /// the pinger's own, if it said: its next ping is due by then, whatever this peer's interval is.
    /// </summary>
    public void HeardPing(int rank, PeerContact pinger, DateTimeOffset now, TimeSpan? interval = null)
    {
        if (rank < 1 || rank > _predecessors.Length)
            return;
        var holder = _predecessors[rank - 1];
        if (holder is null || holder.Contact.Id == pinger.Id || _space.InOpen(pinger.Id, holder.Contact.Id, _self) || now - holder.LastHeard > RankHeld(holder))
        {
            var changed = holder?.Contact != pinger;
            _predecessors[rank - 1] = new PredecessorSlot(pinger, now, interval);
            // A pinger pings this peer at one rank: a slot it held at another rank is no longer its (seed 72 at 64 peers:
            // a predecessor that moved from rank 2 to 1 after a death also stayed second, and a hand-off was refused).
            for (var other = 0; other < _predecessors.Length; other++)
            {
                if (other != rank - 1 && _predecessors[other]?.Contact.Id == pinger.Id)
                    (_predecessors[other], changed) = (null, true);
            }
            if (changed)
                Changed?.Invoke();
        }
    }

    /// <summary>Predecessors known without pings (a join's acceptor and its predecessors), nearest first, replacing the slots.</summary>
    public void SetPredecessors(IReadOnlyList<PeerContact> nearestFirst, DateTimeOffset now)
    {
        for (var rank = 1; rank <= _predecessors.Length; rank++)
            _predecessors[rank - 1] = rank <= nearestFirst.Count ? new PredecessorSlot(nearestFirst[rank - 1], now) : null;
        Changed?.Invoke();
    }

    /// <summary>A ring of two: the joiner this peer accepted is also its first predecessor.</summary>
    public void SetFirstPredecessor(PeerContact predecessor, DateTimeOffset now)
    {
        _predecessors[0] = new PredecessorSlot(predecessor, now);
        Changed?.Invoke();
    }

    /// <summary>How long the holder of a slot may go without pinging before another pinger may take its rank: one of its intervals and a probe period.</summary>
    private TimeSpan RankHeld(PredecessorSlot holder)
    {
        var interval = holder.Interval ?? _interval;
        return interval + interval / (_missedPingLimit + 1);
    }

    /// <summary>How long a predecessor may stay silent before it is forgotten: (limit + 1) of its own intervals, if it said.</summary>
    private TimeSpan Silence(PredecessorSlot slot) => slot.Interval is { } interval ? interval * (_missedPingLimit + 1) : _silence;

    /// <summary>
    /// A predecessor that has stopped pinging for as long as a successor would be declared dead is forgotten, by the
    /// predecessor's own interval when it said it: a 1 s peer keeps its 30 s predecessor between that one's pings.
    /// </summary>
    public void ForgetSilentPredecessors(DateTimeOffset now)
    {
        var forgot = false;
        for (var i = 0; i < _predecessors.Length; i++)
        {
            if (_predecessors[i] is { } slot && now - slot.LastHeard > Silence(slot))
                (_predecessors[i], forgot) = (null, true);
        }
        if (forgot)
            Changed?.Invoke();
    }

    /// <summary>
    /// Marks each live successor of <paramref name="ids"/> dead and remembers when; then drops the dead links, unless no
    /// live one is left: the list never empties, the dead stay as candidates (a false positive comes back that way).
    /// Returns the ids newly declared dead.
    /// </summary>
    public IReadOnlyList<ulong> DeclareDead(IEnumerable<ulong> ids, DateTimeOffset now)
    {
        var declared = new List<ulong>();
        foreach (var id in ids)
        {
            if (LiveLinkTo(id) is not { } link)
                continue;
            _deaths.Declared(id, now);
            link.Dead = true;
            declared.Add(id);
        }
        if (_successors.Any(l => !l.Dead))
            _successors.RemoveAll(l => l.Dead);
        foreach (var id in declared)
            SuccessorDeclaredDead?.Invoke(id);
        if (declared.Count > 0)
            Changed?.Invoke();
        return declared;
    }

    /// <summary>A peer that answered for itself, or that a neighbour vouches for, is no longer held dead.</summary>
    public void Vouch(ulong id) => _deaths.Vouch(id);

    /// <summary>
    /// The peers held dead (<see cref="DeathMemory"/>): left out of every list an answer offers, since a neighbour may not
    /// have noticed yet, until they are seen at a higher incarnation or answer themselves. A live successor, which answers
    /// this peer's own pings, is never among them, whatever others say of it.
    /// </summary>
    public HashSet<ulong> HeldDead(DateTimeOffset now)
    {
        var held = _deaths.Held(now);
        held.RemoveWhere(id => LiveLinkTo(id) is not null);
        return held;
    }

    /// <summary>
    /// The peers held dead that this peer learned of within (limit + 1) of its intervals: what a repair or a walk back
    /// leaves out, as before incarnations (a repair's answerer has just been asked, and the walk must not stop at hearsay).
    /// </summary>
    public HashSet<ulong> RecentlyDead(DateTimeOffset now)
    {
        var recent = _deaths.LearnedRecently(now);
        recent.RemoveWhere(id => LiveLinkTo(id) is not null);
        return recent;
    }

    /// <summary>The incarnation this peer knows of <paramref name="id"/>; 0 when none.</summary>
    public ulong IncarnationOf(ulong id) => _deaths.IncarnationOf(id);

    /// <summary><paramref name="id"/> was seen at <paramref name="incarnation"/>, in its own message or in a list naming it: a death at a lower one is over.</summary>
    public void HeardIncarnation(ulong id, ulong incarnation) => _deaths.Heard(id, incarnation);

    /// <summary>Another peer holds <paramref name="id"/> dead at <paramref name="incarnation"/>: held here too, and told on if it is news.</summary>
    public void HeardDeath(ulong id, ulong incarnation, DateTimeOffset now)
    {
        if (_deaths.HeardDeath(id, incarnation, now))
            DeathHeard?.Invoke(new PeerIncarnation(id, incarnation));
    }

    /// <summary>The deaths to piggyback on a message sent now (docs/protocol.md 5.8); null when none is fresh.</summary>
    public IReadOnlyList<PeerIncarnation>? DeathsToGossip(DateTimeOffset now) => _deaths.ToGossip(now, MessageValidator.MaxDeaths);

    /// <summary>The incarnations known of the peers in <paramref name="listed"/>, for an answer that lists them; null when none is known.</summary>
    public IReadOnlyList<PeerIncarnation>? IncarnationsOf(IEnumerable<PeerContact> listed)
    {
        var known = listed.Select(c => c.Id).Distinct().Where(id => id != _self)
            .Select(id => new PeerIncarnation(id, _deaths.IncarnationOf(id))).Where(p => p.Incarnation != 0).ToArray();
        return known.Length == 0 ? null : known;
    }

    /// <summary>True when <paramref name="id"/> is one of the dead links kept as candidates.</summary>
    public bool IsDeadCandidate(ulong id) => _successors.Any(l => l.Dead && l.Contact.Id == id);
}
