using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.Routing;

/// <summary>
/// The one routing engine of a peer. Lookups, stores, file requests and joins all travel through it, hop by hop,
/// each forwarding peer acknowledging at once; the destination answers the origin directly with a
/// <see cref="RouteAnswer"/> (a join's destination answers the joiner with its verdict). Requests this peer started
/// wait in one table, by one request-id scheme, each with its deadline.
/// <para>
/// Next hops come from <see cref="NextHops"/>: with <see cref="RoutingMode.Fingers"/> the closest preceding finger
/// first, falling back to the successors (O(log N) hops); with <see cref="RoutingMode.Successor"/> the original
/// route, first successor after first successor. A hop that does not take the request is dropped from the fingers
/// and the next candidate is tried, after a wait for its acknowledgement that follows the measured round trips of
/// forwards (<see cref="ForwardTimeout"/>); the request then names it in <see cref="RoutedRequest.Avoid"/>, so the hops
/// after this one try it last. Fingers are shortcuts only: the owner is recognised by its predecessor's
/// successor list (<see cref="RoutedRequest.ToOwner"/>), kept right by the SPEC messages, repair and stabilization.
/// </para>
/// <para>
/// With fingers, a file request this peer starts goes first to the owner an <see cref="OwnerCache"/> names for its
/// key, when one does: a hop instead of log N when the ring has not changed there since (issue 12's fast path).
/// </para>
/// Owns: the finger table, the finger-upkeep cursor, the owner cache, the pending routed requests, the forwards' round-trip estimate.
/// Runs only on the logical thread.
/// </summary>
internal sealed class Router
{
    private readonly IRouterContext _context;
    private readonly PeerOptions _options;
    private readonly FingerTable _fingers;
    private readonly OwnerCache _owners;
    private readonly Dictionary<string, PendingRoute> _pending = new(StringComparer.Ordinal);
    private readonly long _incarnation;
    private long _sequence;

    /// <summary>The finger the next round refreshes, and whether a refresh is under way.</summary>
    private int _nextFinger;
    private bool _refreshingFinger;
    private readonly FingerUpkeepPace _fingerPace;

    /// <summary>
    /// How long the acknowledgements of this peer's forwards take (every hop acknowledges before it acts), as RFC 6298
    /// estimates it over all of them: one estimate, since a forward seldom goes to the same finger twice in a row.
    /// </summary>
    private readonly RttEstimator _forwardRoundTrips;

    /// <summary>
    /// A request this peer started: its continuation, called once with the answer or with null when none came, and
    /// whether its owner's range is cached (not for finger upkeep, so a route never depends on when fingers were refreshed).
    /// </summary>
    private sealed record PendingRoute(Action<RouteAnswer?> OnAnswer, ITimer Deadline, bool CachesOwner);

    /// <param name="incarnation">Distinct for each start of a peer (its start time), so a late answer to an old request settles nothing.</param>
    public Router(IRouterContext context, PeerOptions options, long incarnation)
    {
        _context = context;
        _options = options;
        _incarnation = incarnation;
        _fingers = new FingerTable(context.Space, options.Id); // The contact is known only once bound; the id from the start.
        _owners = new OwnerCache(context.Space, RoutingLimits.OwnerCacheCapacity);
        _fingerPace = new FingerUpkeepPace(RoutingLimits.FingerPauseRounds(options.PingInterval));
        _forwardRoundTrips = new RttEstimator(RoutingLimits.ForwardRoundTrips(options.RequestTimeout));
    }

    private IdSpace Space => _context.Space;

    private PeerContact Self => _context.Self;

    /// <summary>The finger table itself; copy-on-write, so a snapshot may hold its entries.</summary>
    public IReadOnlyList<PeerContact?> Fingers => _fingers.Entries;

    /// <summary>How many requests this peer started that still wait for an answer.</summary>
    public int Pending => _pending.Count;

    /// <summary>A request id unique across this peer's incarnations. The one member safe on any thread: a caller names its request before posting it.</summary>
    public string NewRequestId() => $"{_incarnation:x}-{Interlocked.Increment(ref _sequence):x}";

    /// <summary>Starts a routed request from this peer; <paramref name="onAnswer"/> gets the answer, or null after <paramref name="timeout"/>.</summary>
    public void Start(RoutedRequest request, TimeSpan timeout, Action<RouteAnswer?> onAnswer) => Start(request, timeout, onAnswer, cachesOwner: true);

    private void Start(RoutedRequest request, TimeSpan timeout, Action<RouteAnswer?> onAnswer, bool cachesOwner)
    {
        var requestId = request.RequestId;
        var deadline = _context.StartTimer(timeout, () => Settle(requestId, null));
        _pending.Add(requestId, new PendingRoute(onAnswer, deadline, cachesOwner));
        Route(request);
    }

    /// <summary>Starts a lookup of <paramref name="key"/> from this peer.</summary>
    public void StartLookup(ulong key, TimeSpan timeout, Action<RouteAnswer?> onAnswer) => StartLookup(key, timeout, onAnswer, cachesOwner: true);

    private void StartLookup(ulong key, TimeSpan timeout, Action<RouteAnswer?> onAnswer, bool cachesOwner) =>
        Start(new LookupRequest { Sender = Self, IdBits = Space.Bits, RequestId = NewRequestId(), Key = key, Origin = Self }, timeout, onAnswer, cachesOwner);

    /// <summary>Takes a request at this hop: serves it when this peer is its destination, otherwise passes it on.</summary>
    public void Route(RoutedRequest request)
    {
        if (request.ToOwner && CloserOwner(request) is { } closer)
        {
            // A predecessor that does not take it (it left or died, and its ping slot has not expired yet) leaves the
            // request where the sender's successor list put it: here.
            Forward(request, AvoidedLast(request, [new LookupHop(closer, ToOwner: true)], hasFallback: true), 0, lastProblem: null, whenNoneTakes: () => Serve(request));
            return;
        }
        if (ArrivedHere(request))
        {
            Serve(request);
            return;
        }
        if (request.Hops >= RoutingLimits.MaxHops)
        {
            Answer(request, RouteOutcome.Unroutable, $"the request was forwarded {request.Hops} times without reaching the owner of key {request.Key}");
            return;
        }
        var route = UsesOwnerCache(request) ? CachedOwnerFirst(request.Key, NextHops(request.Key)) : NextHops(request.Key);
        Forward(request, AvoidedLast(request, route, hasFallback: false), 0, lastProblem: null);
    }

    /// <summary>
    /// The hops an earlier peer could not pass the request to go after every other candidate; with a fallback behind
    /// the candidates (serving the request here), they are not tried at all.
    /// </summary>
    private static IReadOnlyList<LookupHop> AvoidedLast(RoutedRequest request, IReadOnlyList<LookupHop> hops, bool hasFallback)
    {
        if (request.Avoid is not { Count: > 0 } avoid)
            return hops;
        var preferred = hops.Where(h => !avoid.Contains(h.Peer.Id));
        return (hasFallback ? preferred : preferred.Concat(hops.Where(h => avoid.Contains(h.Peer.Id)))).ToArray();
    }

    /// <summary>The request as the next candidate gets it once <paramref name="peer"/> did not take it.</summary>
    private static Message Avoiding(Message request, ulong peer) =>
        request is RoutedRequest routed && (routed.Avoid ?? []) is var avoid && avoid.Count < RoutedRequest.MaxAvoided && !avoid.Contains(peer)
            ? routed with { Avoid = [.. avoid, peer] }
            : request;

    /// <summary>A file request started here, routed through fingers: the original route (<see cref="RoutingMode.Successor"/>) keeps its hops.</summary>
    private bool UsesOwnerCache(RoutedRequest request) =>
        request is RoutedFileRequest && request.Hops == 0 && request.Origin.Id == Self.Id && _options.Routing is RoutingMode.Fingers;

    /// <summary>
    /// A file request goes to the cached owner of its key first; sent without <see cref="RoutedRequest.ToOwner"/>, so
    /// that peer serves it only if its own predecessor confirms the key is its, and routes it on otherwise. The route
    /// stays behind it for when it does not take the request. A lookup is not cached: it answers for ownership itself.
    /// </summary>
    private IReadOnlyList<LookupHop> CachedOwnerFirst(ulong key, IReadOnlyList<LookupHop> route) =>
        _owners.OwnerOf(key) is { } owner && owner.Id != Self.Id
            ? [new LookupHop(owner, ToOwner: false), .. route.Where(h => h.Peer.Id != owner.Id)]
            : route;

    /// <summary>
    /// The owner of a key is the peer its predecessor's successor list names (<see cref="RoutedRequest.ToOwner"/>); a
    /// peer's own predecessor lags a join by a ping round, so a lookup never trusts it. A file request does, but only
    /// for its own range: the SPEC's route serves a store typed at its owner at once, and a take-over covers the lag.
    /// </summary>
    private bool ArrivedHere(RoutedRequest request) =>
        request.ToOwner
        || request.Key == Self.Id
        || _context.RoutingSuccessors.Count == 0
        || (request is RoutedFileRequest && _context.FirstPredecessor is { } predecessor && Space.InHalfOpen(request.Key, predecessor.Id, Self.Id));

    /// <summary>
    /// The sender's successor list named this peer the owner, but this peer hears a closer predecessor ping it, one that
    /// lies between the sender and the key: the sender's list is stale (it was cut off, or missed a join), and that
    /// predecessor is the better owner. A finger can lead a request to such a sender; a walk of successors rarely does.
    /// </summary>
    private PeerContact? CloserOwner(RoutedRequest request) =>
        _context.FirstPredecessor is { } predecessor
        && predecessor.Id != Self.Id
        && Space.InOpen(predecessor.Id, request.Sender.Id, Self.Id)
        && Space.InHalfOpen(request.Key, request.Sender.Id, predecessor.Id)
            ? predecessor
            : null;

    private void Serve(RoutedRequest request)
    {
        if (request is RoutedFileRequest file)
            _context.FileRequestArrived(file);
        else
            Answer(request, RouteOutcome.Owner, reason: null);
    }

    /// <summary>Passes a request straight to <paramref name="peer"/>, bypassing the route (a newcomer's successor still holding the file).</summary>
    public void PassTo(RoutedRequest request, PeerContact peer, bool toOwner) =>
        Forward(request, [new LookupHop(peer, toOwner)], 0, lastProblem: null);

    /// <summary>Takes a join at this hop: accepted or refused here when it belongs here, otherwise passed on.</summary>
    public void RouteJoin(JoinRequest request)
    {
        var joiner = request.Joiner.Id;
        var successors = _context.RoutingSuccessors;
        var verdict = JoinRoute.Decide(Space, Self.Id, successors.FirstOrDefault()?.Id, joiner);
        if (verdict is not JoinVerdict.Forward)
        {
            _context.JoinArrived(request, verdict);
            return;
        }
        if (request.Hops >= RoutingLimits.MaxHops)
        {
            _context.JoinUnroutable(request, $"the join request was forwarded {request.Hops} times without reaching its place");
            return;
        }
        // A join belongs after the peer that precedes the joiner's id: every hop lies strictly between here and the joiner.
        IReadOnlyList<LookupHop> hops = _options.Routing is RoutingMode.Successor
            ? [new LookupHop(successors[0], ToOwner: false)]
            : _fingers.ClosestPreceding(joiner, successors).Select(p => new LookupHop(p, ToOwner: false)).ToArray();
        Forward(request, hops, 0, lastProblem: null);
    }

    /// <summary>Where a request for <paramref name="key"/> that this peer does not own goes next, best first.</summary>
    public IReadOnlyList<LookupHop> NextHops(ulong key)
    {
        var successors = _context.RoutingSuccessors;
        if (_options.Routing is RoutingMode.Successor)
            return successors.Select(s => new LookupHop(s, ToOwner: Space.InHalfOpen(key, Self.Id, s.Id))).ToArray();
        return LookupRoute.NextHops(Space, _fingers, successors, key);
    }

    /// <summary>Passes the request to the first of <paramref name="hops"/> that takes it; each one tried raises the SPEC event.</summary>
    private void Forward(Message request, IReadOnlyList<LookupHop> hops, int index, string? lastProblem, Action? whenNoneTakes = null)
    {
        if (index == hops.Count && whenNoneTakes is not null)
        {
            whenNoneTakes();
            return;
        }
        if (index == hops.Count)
        {
            var reason = hops.Count == 1
                ? $"Peer {Self.Id} could not pass the request on to Peer {hops[0].Peer.Id}: {lastProblem}"
                : $"Peer {Self.Id} could pass the request on to none of the {hops.Count} peer(s) it knows before the key" +
                    (lastProblem is null ? "" : $": {lastProblem}");
            if (request is JoinRequest join)
                _context.JoinUnroutable(join, reason);
            else
                Answer((RoutedRequest)request, RouteOutcome.Unroutable, reason);
            return;
        }
        var next = hops[index];
        Announce(request, next.Peer);
        Message forwarded = request switch
        {
            JoinRequest join => join with { Sender = Self, Hops = join.Hops + 1 },
            RoutedRequest routed => routed with { Sender = Self, Hops = routed.Hops + 1, ToOwner = next.ToOwner },
            _ => throw new ArgumentException($"{request.GetType().Name} is not routed.", nameof(request)),
        };
        var timeout = ForwardTimeout(request, hasNextCandidate: index + 1 < hops.Count || whenNoneTakes is not null);
        var sent = _context.Time.GetTimestamp();
        _context.Ask(next.Peer, forwarded, timeout, reply =>
        {
            var elapsed = _context.Time.GetElapsedTime(sent);
            if (reply.Message is Acknowledgement)
            {
                _forwardRoundTrips.OnAnswer(elapsed, retransmitted: false);
                return;
            }
            if (reply.Failure is not null && elapsed >= timeout)
                _forwardRoundTrips.OnTimeout();
            ForgetPeer(next.Peer.Id);
            Forward(Avoiding(request, next.Peer.Id), hops, index + 1, reply.Problem, whenNoneTakes);
        });
    }

    /// <summary>
    /// How long a forward waits for its hop's acknowledgement. A dead hop that is not known dead yet (a finger, or a
    /// successor between its last ping and its repair) must not eat the whole request timeout when another candidate
    /// could take the request: with one behind it, the wait is the forwards' retransmission timeout (Bamboo's lesson:
    /// under churn, lookup latency is set by how long a hop waits on the dead). The last candidate gets the request
    /// timeout, since nothing is gained by giving up on it early. A join always does: it must reach one place only.
    /// </summary>
    private TimeSpan ForwardTimeout(Message request, bool hasNextCandidate) =>
        request is RoutedRequest && hasNextCandidate ? _forwardRoundTrips.Timeout : _options.RequestTimeout;

    /// <summary>
    /// SPEC §4, §8, §9: every forwarding peer says so, in the original's words when the next hop is its first
    /// successor, naming the next hop otherwise. Lookups are silent.
    /// </summary>
    private void Announce(Message request, PeerContact next)
    {
        var toSuccessor = _context.RoutingSuccessors.FirstOrDefault()?.Id == next.Id;
        var hop = toSuccessor ? "my successor" : $"Peer {next.Id}";
        switch (request)
        {
            case JoinRequest join:
                _context.Raise(DhtEventKind.JoinRequestForwarded, $"Peer {join.Joiner.Id} Join request forwarded to {hop}", join.Joiner.Id);
                break;
            case StoreRequest store:
                _context.Raise(DhtEventKind.StoreRequestForwarded, $"Store {store.Name} request forwarded to {hop}", next.Id);
                break;
            case FetchRequest fetch when fetch.Origin.Id == Self.Id && fetch.Hops == 0:
                _context.Raise(DhtEventKind.FileRequestSent, $"File request for {fetch.Name} has been sent to {hop}", next.Id);
                break;
            case FetchRequest fetch:
                _context.Raise(DhtEventKind.FileRequestPassedOn,
                    $"Request for File {fetch.Name} has been received, but the file is not stored here" + (toSuccessor ? "" : $"; forwarded to Peer {next.Id}"), next.Id);
                break;
        }
    }

    /// <summary>Tells the origin how its request ended; at the origin itself, settles it directly.</summary>
    /// <param name="copies">For a removal: the holders that confirmed it.</param>
    /// <param name="version">For a removal: the tombstone's version.</param>
    /// <param name="sha256">For a digest request: the recorded SHA-256.</param>
    public void Answer(RoutedRequest request, RouteOutcome outcome, string? reason, int? copies = null, FileVersion version = default, string? sha256 = null)
    {
        var answer = new RouteAnswer
        {
            Sender = Self, IdBits = Space.Bits, RequestId = request.RequestId, Outcome = outcome, Hops = request.Hops, Reason = reason,
            OwnedFrom = outcome is RouteOutcome.Unroutable ? null : _context.FirstPredecessor?.Id,
            Copies = copies,
            Version = version,
            Sha256 = sha256,
        };
        if (request.Origin.Id == Self.Id)
            Settle(answer.RequestId, answer);
        else
            _context.Ask(request.Origin, answer, _options.RequestTimeout, _ => { });
    }

    /// <summary>An answer from the destination of a request this peer started (or a late one, ignored).</summary>
    public Acknowledgement HandleAnswer(RouteAnswer answer)
    {
        Settle(answer.RequestId, answer);
        return new Acknowledgement { Sender = Self, IdBits = Space.Bits };
    }

    private void Settle(string requestId, RouteAnswer? answer)
    {
        if (!_pending.Remove(requestId, out var pending))
            return; // Already answered, or given up on.
        if (pending.CachesOwner && answer is { OwnedFrom: { } from, Outcome: not RouteOutcome.Unroutable })
            LearnOwner(from, answer.Sender);
        pending.Deadline.Dispose();
        pending.OnAnswer(answer);
    }

    /// <summary>The request was answered otherwise (a fetch's file arrived): its deadline no longer applies.</summary>
    public void Forget(string requestId)
    {
        if (_pending.Remove(requestId, out var pending))
            pending.Deadline.Dispose();
    }

    /// <summary>A stopping peer hears no more answers: its waiting requests end now, unanswered, instead of at their deadlines.</summary>
    public void AbandonAll()
    {
        foreach (var requestId in _pending.Keys.ToArray())
            Settle(requestId, null);
    }

    /// <summary>A successor declared dead is no finger either.</summary>
    public void ForgetPeer(ulong id)
    {
        _fingers.Forget(id);
        _owners.Forget(id);
    }

    /// <summary>An owner said it owns (<paramref name="from"/>, owner]: the next file request for a key there goes to it first.</summary>
    public void LearnOwner(ulong from, PeerContact owner)
    {
        if (owner.Id != Self.Id)
            _owners.Learn(from, owner);
    }

    /// <summary>
    /// Chord's fix_fingers, once per ping round and at most one request per round: the fingers the successor list covers
    /// are copied from it, and one other finger is refreshed. An unknown finger is looked up (a lookup of its start);
    /// a known one is only checked, by asking it for its neighbours: it is still right while it answers and its
    /// predecessor lies before the finger's start. Fingers are refreshed in rising order, so a fresh ring fills them
    /// bottom up, each lookup riding on the fingers the round before filled. Once a whole pass changes nothing, upkeep
    /// pauses between passes (<see cref="FingerUpkeepPace"/>). Routing along successors needs none.
    /// </summary>
    public void RefreshFingers(IReadOnlyList<PeerContact> liveSuccessors)
    {
        var covered = _fingers.Seed(liveSuccessors);
        if (!_options.MaintainFingers || _options.Routing is RoutingMode.Successor || _refreshingFinger || liveSuccessors.Count == 0 || covered == Space.Bits)
            return;
        if (_nextFinger >= Space.Bits)
        {
            _fingerPace.PassEnded(_fingers.Entries);
            _nextFinger = covered;
        }
        if (!_fingerPace.ShouldRefresh(_fingers.Entries))
            return;
        var index = Math.Max(_nextFinger, covered);
        if (_context.FirstPredecessor is { } predecessor && Space.InHalfOpen(_fingers.StartOf(index), predecessor.Id, Self.Id))
        {
            // This peer's own range (a small ring wraps round to it): no need to ask anyone.
            _nextFinger = _fingers.Learn(index, Self);
            return;
        }
        _refreshingFinger = true;
        if (_fingers.Entries[index] is { } finger && finger.Id != Self.Id)
            CheckFinger(index, finger);
        else
            LookUpFinger(index);
    }

    private void LookUpFinger(int index) =>
        StartLookup(_fingers.StartOf(index), RoutingLimits.FingerLookupTimeout(_options.RequestTimeout), answer =>
        {
            _refreshingFinger = false;
            _nextFinger = answer is { Outcome: RouteOutcome.Owner } ? _fingers.Learn(index, answer.Sender) : index + 1;
        }, cachesOwner: false);

    /// <summary>
    /// A peer that joined between the finger's start and the finger shows up as the finger's predecessor: it is
    /// closer, so it is taken, and checked in turn next round. The fingers that share this one are confirmed with it.
    /// </summary>
    private void CheckFinger(int index, PeerContact finger) =>
        _context.Ask(finger, new NeighborsRequest { Sender = Self, IdBits = Space.Bits }, _options.RequestTimeout, reply =>
        {
            _refreshingFinger = false;
            if (reply.Message is not NeighborsResponse neighbors)
            {
                _fingers.Forget(finger.Id);
                _nextFinger = index; // Looked up next round.
                return;
            }
            var start = _fingers.StartOf(index);
            if (neighbors.Predecessors.FirstOrDefault() is { } before && Space.InOpen(before.Id, Space.Reduce(start - 1), finger.Id))
            {
                _fingers.Learn(index, before);
                _nextFinger = index;
                return;
            }
            _nextFinger = index + 1;
            while (_nextFinger < Space.Bits && _fingers.Entries[_nextFinger] == finger)
                _nextFinger++;
        });
}
