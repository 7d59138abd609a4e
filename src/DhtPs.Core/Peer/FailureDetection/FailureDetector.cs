using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// SPEC §3 and §6: pings every live successor once per round over UDP, each ping naming its rank, answers the pings of
/// predecessors, and finds the successors that are gone. A round's ping left unanswered by the next round makes the
/// target a suspect, re-pinged at once, as the seed's own list of improvements asks, each re-ping waiting as long as the
/// target's measured round trips say (<see cref="RttEstimator"/>, RFC 6298, within <see cref="PingTimeoutFloor"/> and
/// <see cref="ProbePeriod"/>, doubled per miss); those re-pings are silent, so the events a peer raises stay the
/// original's. Lifeguard's lesson: missed datagrams only make a suspect; after <see cref="PeerOptions.MissedPingLimit"/>
/// misses it is asked over TCP, and only if that fails too is it <see cref="Dead"/> (a killed local peer refuses at once),
/// so datagram loss alone kills nobody.
/// SWIM's indirect probes (docs/protocol.md 3.5): at its first miss a suspect is pinged through up to
/// <see cref="PeerOptions.IndirectProbes"/> helpers as well, and it is asked over TCP only once its re-pings are out and
/// no helper has relayed an answer. Lifeguard (<see cref="Suspicion"/>, <see cref="LocalHealth"/>): the wait of that
/// question is the suspicion timeout — long while nobody confirms the suspicion, the confirmed one once every helper
/// nacked — multiplied by this peer's own health score, so a peer that cannot hear its helpers either accuses nobody.
/// SWIM's incarnations (docs/protocol.md 5.8): this peer's own <see cref="Incarnation"/>, which only it raises (a new one at
/// every start, one higher to refute a death told of it), rides on its pings and pongs with the deaths it holds; a death
/// told of a successor makes that successor a suspect at once.
/// <para>
/// Owns the per-target probe state (<see cref="ProbeTarget"/>, keyed by peer id), the ping sequence and this peer's
/// incarnation. The targets follow the <see cref="Neighborhood"/>: its live successors, re-read on every
/// <see cref="Neighborhood.Changed"/>.
/// Runs only on the logical thread.
/// </para>
/// </summary>
internal sealed partial class FailureDetector
{
    /// <summary>
    /// The shortest wait for a pong. Loopback round trips are far shorter, but a busy host stalls a peer's thread for
    /// longer; below this a stall would count as a loss (Linux's TCP uses the same floor). Never above <see cref="ProbePeriod"/>.
    /// </summary>
    public static readonly TimeSpan PingTimeoutFloor = TimeSpan.FromMilliseconds(200);

    /// <summary>The shortest wait for the answer over TCP that confirms a death, however short the ping interval.</summary>
    public static readonly TimeSpan ConfirmTimeoutFloor = TimeSpan.FromSeconds(1);

    private readonly IFailureDetectorContext _context;
    private readonly Neighborhood _neighborhood;
    private readonly PeerOptions _options;
    private readonly RttEstimatorOptions _rttOptions;
    private readonly Dictionary<ulong, ProbeTarget> _targets = [];
    private uint _pingSequence;
    private DateTimeOffset? _lastRound;

    public FailureDetector(IFailureDetectorContext context, Neighborhood neighborhood, PeerOptions options)
    {
        _context = context;
        _neighborhood = neighborhood;
        _options = options;
        // Nothing is known before the first sample: a re-ping waits the whole probe period, as every probe did before RTT.
        _rttOptions = new RttEstimatorOptions
        {
            InitialTimeout = ProbePeriod,
            Floor = PingTimeoutFloor < ProbePeriod ? PingTimeoutFloor : ProbePeriod,
            Ceiling = ProbePeriod,
        };
        // Above every incarnation an earlier run of this peer can have had (docs/protocol.md 5.8), with nothing to persist.
        Incarnation = Math.Max(1UL, (ulong)context.Now.ToUnixTimeMilliseconds());
        neighborhood.Changed += FollowNeighborhood;
        neighborhood.DeathHeard += Suspect;
        FollowNeighborhood();
    }

    /// <summary>This peer's incarnation: raised only here, when it starts and when it refutes a death told of it.</summary>
    public ulong Incarnation { get; private set; }

    /// <summary>
    /// Another peer holds this one dead at <paramref name="declaredAt"/>: it is alive, so it comes back one incarnation
    /// higher, and every peer that sees the new number stops holding it dead. A death at an older incarnation is no news.
    /// </summary>
    public void Refute(ulong declaredAt)
    {
        if (declaredAt < Incarnation)
            return;
        Incarnation = declaredAt + 1;
        Health.Worse(); // Lifeguard: others could not hear this peer, which may be slow itself.
    }

    /// <summary>This peer's own health (Lifeguard's local health multiplier): how much longer it waits before it accuses.</summary>
    public LocalHealth Health { get; } = new();

    /// <summary>A suspect did not answer over TCP either (the evidence): whoever keeps the ring declares it dead.</summary>
    public event Action<FailureEvidence>? Dead;

    /// <summary>The probe state of <paramref name="id"/>, if it is a live successor being probed.</summary>
    public ProbeTarget? Target(ulong id) => _targets.GetValueOrDefault(id);

    /// <summary>The targets in rank order.</summary>
    public IReadOnlyList<ProbeTarget> Targets => [.. _targets.Values.OrderBy(t => t.Rank)];

    /// <summary>
    /// The longest one ping waits (the ceiling of every target's timeout): the whole missed-ping budget of a suspect,
    /// <see cref="PeerOptions.MissedPingLimit"/> pings each waiting at most this, fits in one ping interval.
    /// </summary>
    public TimeSpan ProbePeriod => _options.PingInterval / (_options.MissedPingLimit + 1);

    /// <summary>How many suspects are being asked over TCP right now (their verdicts will repair).</summary>
    public int ConfirmationsUnderWay => _targets.Values.Count(target => target.Confirming);

    /// <summary>
    /// Once per ping round, before the pings go out: a target whose last round's ping is still unanswered missed it (its
    /// timeout doubles), and one that reaches the limit so is asked over TCP whether it is really gone. Returns how many
    /// questions are under way. The round's ping is the clock of the first miss: a 2-interval cut must not kill (the
    /// simulation pins it), and before the first answer nothing is measured anyway.
    /// </summary>
    public int CountMissedPings()
    {
        // Lifeguard: a round that fires a probe period late says this peer's own thread or host is stalled.
        var now = _context.Now;
        if (_lastRound is { } last && now - last > _options.PingInterval + ProbePeriod)
            Health.Worse();
        _lastRound = now;
        foreach (var target in Targets.Where(t => t is { PingTimeout: null, Confirming: false, AwaitingHelpers: false, OutstandingPing: not null }))
        {
            if (Missed(target))
                ConfirmOnceHelpersAnswered(target);
        }
        return ConfirmationsUnderWay;
    }

    /// <summary>
    /// Pings every target at its rank and says so in the original's words. A suspect's round ping is its first re-ping,
    /// waited for by its RTT timeout; a target whose re-pings are under way is left to them.
    /// </summary>
    public void PingTargets()
    {
        var targets = Targets.Where(target => target is { PingTimeout: null, AwaitingHelpers: false }).ToArray();
        foreach (var target in targets)
            SendPing(target, resent: target is { Suspected: true, Confirming: false });
        if (targets.Length == 0)
            return;
        var ids = targets.Select(t => t.Contact.Id.ToString()).ToArray();
        _context.Raise(DhtEventKind.PingRequestsSent, ids.Length == 1
            ? $"Ping request sent to Peer {ids[0]}"
            : $"Ping requests sent to Peers {string.Join(" and ", ids)}", null);
    }

    /// <summary>
    /// A predecessor's ping: answered under its sequence number, and its rank told to the neighbourhood (a peer that keeps
    /// a longer successor list pings at ranks this one does not keep: answered, not remembered).
    /// </summary>
    public void HandlePing(IPEndPoint from, uint sequence, PingRequest request)
    {
        // A helper's indirect ping, for someone else, is answered silently: it says nothing of who precedes this peer, and
        // SPEC's "Ping request message received" is a predecessor's.
        if (!request.Indirect)
        {
            _context.Raise(DhtEventKind.PingRequestReceived, $"Ping request message received from Peer {request.Sender.Id}", request.Sender.Id);
            _neighborhood.HeardPing(request.Rank, request.Sender, _context.Now,
                request.IntervalMs > 0 ? TimeSpan.FromMilliseconds(request.IntervalMs) : null);
        }
        _context.SendDatagram(from, sequence, new PingResponse
        {
            Sender = _context.Self,
            IdBits = _context.Space.Bits,
            Incarnation = Incarnation,
            Deaths = _neighborhood.DeathsToGossip(_context.Now),
        });
    }

    /// <summary>
    /// A successor's answer: proof of life, whichever of the pings sent to it since its last answer it answers — but only
    /// one that came from the endpoint those pings went to, under one of their sequence numbers (issue 17: a spoofed
    /// pong must not hide a dead peer; a duplicate counts once). Only the answer to the ping still waiting, sent once and
    /// not re-asked, is a round-trip sample (Karn's rule: a re-ping follows a loss or a stall, and an earlier ping's late
    /// answer would measure from the wrong send).
    /// </summary>
    public void HandlePong(IPEndPoint from, uint sequence, PingResponse response)
    {
        if (RelayAnswer(from, sequence, response))
            return; // The answer to a ping sent as a helper: relayed to whoever asked.
        if (Target(response.Sender.Id) is not { } target)
            return; // A late answer from a peer that is no longer a live successor (a dead candidate is asked over TCP instead).
        if (!SameEndPoint(from, target.Contact.ToEndPoint()) || !target.Answers(sequence))
            return;
        if (target.OutstandingPing == sequence)
        {
            if (!target.Resent)
                Health.Better(); // Lifeguard: a probe answered in time.
            target.Rtt.OnAnswer(_context.Now - target.SentAt, retransmitted: target.Resent);
            target.OutstandingPing = null;
            target.StopWaiting();
        }
        else if (target.OutstandingPing is not null)
        {
            target.OutstandingPing = null; // An earlier ping answered late: alive, so its re-pings stop.
            target.StopWaiting();
        }
        target.MissedPings = 0;
        target.Cleared();
        _context.Raise(DhtEventKind.PingResponseReceived, $"Ping response received from Peer {response.Sender.Id}", response.Sender.Id);
    }

    /// <summary>Stops the probes (the peer departs or stops); pongs still clear what they answer.</summary>
    public void Stop()
    {
        foreach (var target in _targets.Values)
        {
            target.StopWaiting();
            target.Cleared();
        }
        StopRelaying();
    }

    /// <summary>The live successors are the targets: one that stays keeps its probe state, a new or changed one starts afresh.</summary>
    private void FollowNeighborhood()
    {
        var live = _neighborhood.Links;
        var next = new Dictionary<ulong, ProbeTarget>();
        for (var rank = 1; rank <= live.Count; rank++)
        {
            var link = live[rank - 1];
            if (link.Dead)
                continue;
            var target = _targets.TryGetValue(link.Contact.Id, out var known) && known.Contact == link.Contact
                ? known
                : new ProbeTarget(link.Contact, rank, _rttOptions);
            target.Rank = rank;
            next[link.Contact.Id] = target;
        }
        foreach (var (id, gone) in _targets)
        {
            if (next.GetValueOrDefault(id) != gone)
            {
                gone.StopWaiting();
                gone.Cleared();
            }
        }
        _targets.Clear();
        foreach (var (id, target) in next)
            _targets[id] = target;
    }

    internal static bool SameEndPoint(IPEndPoint from, IPEndPoint to) =>
        from.Port == to.Port && (from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address).Equals(to.Address);

    private void SendPing(ProbeTarget target, bool resent)
    {
        var sequence = ++_pingSequence;
        (target.OutstandingPing, target.SentAt, target.Resent) = (sequence, _context.Now, resent);
        target.Sent(sequence);
        target.StopWaiting();
        if (resent)
            target.PingTimeout = _context.StartTimer(target.Rtt.Timeout, System.Threading.Timeout.InfiniteTimeSpan, () => PingTimedOut(target, sequence));
        _context.SendDatagram(target.Contact.ToEndPoint(), sequence,
            new PingRequest
            {
                Sender = _context.Self,
                IdBits = _context.Space.Bits,
                Rank = target.Rank,
                IntervalMs = Math.Min((long)_options.PingInterval.TotalMilliseconds, PingRequest.MaxIntervalMilliseconds),
                Incarnation = Incarnation,
                Deaths = _neighborhood.DeathsToGossip(_context.Now),
            });
    }

    /// <summary>
    /// Another peer holds a successor of this one dead: a suspect at once, re-pinged now instead of at the next round, so
    /// a peer with a long interval learns of the death from a faster neighbour; its own pings still decide. Except once
    /// this peer's own misses have run out (its question over TCP is under way, or waits for the helpers) and its own view is
    /// sound (<see cref="ConfirmedHere"/>): then the other peer's finished verdict — its own misses, helpers and question —
    /// stands for the rest of this one's wait, and the suspect is declared now (SWIM: a death confirmed by a member is
    /// final; a wrong one is refuted, 5.8).
    /// </summary>
    private void Suspect(PeerIncarnation death)
    {
        if (Target(death.Id) is not { } target)
            return;
        if (_context.IsRunning && target is { Confirming: true } or { AwaitingHelpers: true } && ConfirmedHere(target))
        {
            target.DeathsHeard++;
            Declare(Evidence(target, target.Confirming ? target.ConfirmWait : TimeSpan.Zero) with { DeclaredElsewhere = true });
            return;
        }
        if (target.Suspected)
            target.DeathsHeard++; // Lifeguard: an independent confirmation of this peer's own suspicion.
        if (_context.IsRunning && target is { Confirming: false, PingTimeout: null, AwaitingHelpers: false })
            SendPing(target, resent: true);
    }

    /// <summary>
    /// This peer's own view of <paramref name="target"/> is sound enough to take another's verdict for it: its own health
    /// is good and every helper it asked has nacked (or none was asked). A peer cut off itself, whose helpers stay silent,
    /// keeps Lifeguard's long wait whoever tells it a death — the teller may be cut off with it.
    /// </summary>
    private bool ConfirmedHere(ProbeTarget target) =>
        Health.Score == 0 && (target.Indirect is not { } probe || probe.Nacks == probe.Asked);

    /// <summary>
    /// One more miss: the timeout doubles, and at the first miss the helpers are asked to ping the suspect too. Returns
    /// whether the misses have run out.
    /// </summary>
    private bool Missed(ProbeTarget target)
    {
        target.MissedPings++;
        target.Rtt.OnTimeout();
        if (target.MissedPings == 1)
        {
            ProbeIndirectly(target); // At once, beside the re-pings: an answer through a helper costs a crash's repair no time.
            AskAtFirstMiss(target);
        }
        return target.MissedPings >= _options.MissedPingLimit;
    }

    /// <summary>Out of misses: asked over TCP now, or once the helpers' wait is over if they are still asked.</summary>
    private void ConfirmOnceHelpersAnswered(ProbeTarget target)
    {
        if (target.Indirect is { Done: false })
            target.AwaitingHelpers = true;
        else
            Confirm(target);
    }

    /// <summary>A ping went unanswered for its timeout: one more miss, then a re-ping at once with the timeout doubled, or past the limit the question over TCP.</summary>
    private void PingTimedOut(ProbeTarget target, uint sequence)
    {
        if (!_context.IsRunning || Target(target.Contact.Id) != target || target.OutstandingPing != sequence)
            return;
        target.PingTimeout = null;
        if (target.Confirming)
        {
            target.MissedPings++;
            target.Rtt.OnTimeout();
            return; // Already asked over TCP; a pong meanwhile still counts as proof of life.
        }
        if (Missed(target))
            ConfirmOnceHelpersAnswered(target);
        else
            SendPing(target, resent: true);
    }

    /// <summary>
    /// How long the question over TCP waits: two round trips (connect, then request and reply) at the target's ping
    /// timeout, backed off by the misses that led here, so it follows the measured round trips; at least
    /// <see cref="ConfirmTimeoutFloor"/> whatever the interval (a host stalled for less is not yet dead; a killed peer
    /// refuses the connect at once, so this bites only for a hung or cut-off one), and at most a ping interval above that.
    /// </summary>
    private TimeSpan ConfirmTimeout(ProbeTarget target)
    {
        var confirmed = ConfirmedWait(target);
        // Lifeguard: the suspicion timeout, from the confirmed wait up, and this peer's own health on top; never longer
        // than a silent predecessor is remembered (4.4), so a peer that is truly cut off still gives up on its successors.
        var expected = target.Indirect?.Asked ?? 0;
        var confirmations = (target.Indirect?.Nacks ?? 0) + target.DeathsHeard;
        var suspicion = Suspicion.Timeout(confirmed, EstimatedRingSize, confirmations, expected) * Health.Multiplier;
        var longest = _options.PingInterval * (_options.MissedPingLimit + 1);
        return suspicion <= confirmed ? confirmed : suspicion < longest ? suspicion : longest > confirmed ? longest : confirmed;
    }

    /// <summary>The wait of a question over TCP once the suspicion is confirmed: two of the target's ping timeouts, within <see cref="ConfirmTimeoutFloor"/> and a ping interval above it.</summary>
    private TimeSpan ConfirmedWait(ProbeTarget target)
    {
        var least = ConfirmTimeoutFloor;
        var most = _options.PingInterval > least ? _options.PingInterval : least;
        var byRtt = target.Rtt.Timeout * 2;
        return byRtt < least ? least : byRtt > most ? most : byRtt;
    }

    /// <summary>
    /// memberlist's TCP fallback: at a suspect's first miss it is also asked over TCP at once, beside its re-pings and the
    /// helpers. An answer ends the suspicion there; a no well before the wait is over (in its first half: the connection
    /// refused or closed, a round trip's work — a failure near the end is a timeout read on another clock; its host
    /// is up and nothing listens, as after a SIGKILL) is a death at once, with nothing left to wait for; silence decides
    /// nothing — a host that answers nothing is as dark as one cut off for a moment, so the misses and the suspicion
    /// timeout still decide (<see cref="Confirm"/>).
    /// </summary>
    private void AskAtFirstMiss(ProbeTarget target)
    {
        if (!_context.IsRunning)
            return;
        var question = new object();
        target.FirstMissQuestion = question;
        var (askedAt, timeout) = (_context.Now, ConfirmedWait(target));
        var evidence = Evidence(target, timeout);
        _context.Ask(target.Contact, new NeighborsRequest { Sender = _context.Self, IdBits = _context.Space.Bits }, timeout, reply =>
        {
            if (target.FirstMissQuestion != question || Target(target.Contact.Id) != target)
                return; // The suspicion it was asked for is over, or the target left the list.
            target.FirstMissQuestion = null;
            if (reply.Message is NeighborsResponse || reply.Failure is Transport.DhtAuthenticationException)
                Alive(target);
            else if (reply.Failure is not null && _context.Now - askedAt < timeout / 2 && _context.IsRunning && target.Suspected)
                Declare(evidence);
        });
    }

    private FailureEvidence Evidence(ProbeTarget target, TimeSpan timeout) =>
        new(target.Contact.Id, target.MissedPings, target.Rtt.LastSample, target.Rtt.SmoothedRtt, target.Rtt.Timeout, timeout)
        {
            Incarnation = _neighborhood.IncarnationOf(target.Contact.Id),
            HelpersAsked = target.Indirect?.Asked ?? 0,
            Nacks = target.Indirect?.Nacks ?? 0,
            LocalHealth = Health.Score,
        };

    /// <summary>The ring's size as this peer's successor list spreads (<see cref="Suspicion.EstimateRingSize"/>).</summary>
    public double EstimatedRingSize =>
        Suspicion.EstimateRingSize(_context.Space, _context.Self.Id, [.. _neighborhood.Links.Where(l => !l.Dead).Select(l => l.Contact.Id)]);

    /// <summary>
    /// Asks the suspect over TCP whether it is there; no answer makes it <see cref="Dead"/>. A ping answer that arrives
    /// while the question is out (it resets the missed pings) is proof of life too: a question asked across a partition
    /// can time out after the heal, when the suspect is answering again. A wait longer than the confirmed one (Lifeguard)
    /// is asked in questions of at most the confirmed wait, each asked anew once the last timed out, as TCP resends its
    /// SYN: a suspect restarted or reached again meanwhile answers the next one, where a pong could be lost.
    /// </summary>
    private void Confirm(ProbeTarget target)
    {
        target.Confirming = true;
        target.AwaitingHelpers = false;
        var timeout = ConfirmTimeout(target);
        target.ConfirmWait = timeout;
        AskUntil(target, Evidence(target, timeout), _context.Now + timeout);
    }

    private void AskUntil(ProbeTarget target, FailureEvidence evidence, DateTimeOffset deadline)
    {
        var (askedAt, confirmed) = (_context.Now, ConfirmedWait(target));
        var wait = deadline - askedAt < confirmed ? deadline - askedAt : confirmed;
        _context.Ask(target.Contact, new NeighborsRequest { Sender = _context.Self, IdBits = _context.Space.Bits }, wait, reply =>
        {
            var suspect = _context.IsRunning && Target(target.Contact.Id) == target && target.Suspected;
            if (reply.Message is NeighborsResponse || reply.Failure is Transport.DhtAuthenticationException)
            {
                target.Confirming = false;
                Alive(target); // Alive (of another secret, said so as AuthenticationFailed): never declared dead.
            }
            else if (suspect && reply.Failure is not null && _context.Now - askedAt >= wait / 2 && _context.Now < deadline)
                AskUntil(target, evidence, deadline); // Silence, with wait left: asked anew.
            else
            {
                target.Confirming = false;
                if (suspect)
                    Declare(evidence);
            }
        });
    }

    /// <summary>
    /// A successor found dead: declared (<see cref="Dead"/>), and the successors still live are pinged at once, each ping
    /// carrying the new death (5.8), instead of at the next round: the first predecessor of the dead peer, which is this
    /// one's successor and suspects it too, may then take this peer's finished verdict for its own (<see cref="Suspect"/>).
    /// </summary>
    private void Declare(FailureEvidence evidence)
    {
        Dead?.Invoke(evidence);
        if (!_context.IsRunning)
            return;
        foreach (var other in Targets.Where(t => t.Contact.Id != evidence.PeerId && t is { PingTimeout: null, AwaitingHelpers: false, Confirming: false, Suspected: false }))
            SendPing(other, resent: false);
    }

    private static void Alive(ProbeTarget target)
    {
        (target.MissedPings, target.OutstandingPing) = (0, null);
        target.StopWaiting();
        target.Cleared();
    }
}
