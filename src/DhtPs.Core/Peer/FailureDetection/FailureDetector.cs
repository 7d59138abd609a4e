using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// SPEC §3 and §6: pings every live successor once per round over UDP, each ping naming its rank, answers the pings of
/// predecessors, and finds the successors that are gone. A successor that misses <see cref="PeerOptions.MissedPingLimit"/>
/// pings in a row is a suspect; as the seed's own list of improvements asks, a suspect is re-pinged at once, every
/// <see cref="ProbePeriod"/>, instead of at the next round, and those probes are silent, so the events a peer raises stay
/// the original's. Lifeguard's lesson: missed datagrams only make a suspect; it is <see cref="Dead"/> once it also fails to
/// answer over TCP within a ping interval (a killed local peer refuses at once), so datagram loss alone kills nobody.
/// <para>
/// Owns the per-target probe state (<see cref="ProbeTarget"/>, keyed by peer id), the ping sequence and the probe timer.
/// The targets follow the <see cref="Neighborhood"/>: its live successors, re-read on every <see cref="Neighborhood.Changed"/>.
/// Runs only on the logical thread.
/// </para>
/// </summary>
internal sealed class FailureDetector
{
    private readonly IFailureDetectorContext _context;
    private readonly Neighborhood _neighborhood;
    private readonly PeerOptions _options;
    private readonly Dictionary<ulong, ProbeTarget> _targets = [];
    private uint _pingSequence;
    private ITimer? _probeTimer;

    public FailureDetector(IFailureDetectorContext context, Neighborhood neighborhood, PeerOptions options)
    {
        _context = context;
        _neighborhood = neighborhood;
        _options = options;
        neighborhood.Changed += FollowNeighborhood;
        FollowNeighborhood();
    }

    /// <summary>A suspect did not answer over TCP either (its id): whoever keeps the ring declares it dead.</summary>
    public event Action<ulong>? Dead;

    /// <summary>The probe state of <paramref name="id"/>, if it is a live successor being probed.</summary>
    public ProbeTarget? Target(ulong id) => _targets.GetValueOrDefault(id);

    /// <summary>The targets in rank order.</summary>
    public IReadOnlyList<ProbeTarget> Targets => [.. _targets.Values.OrderBy(t => t.Rank)];

    /// <summary>The whole missed-ping budget of a suspect fits in one ping interval.</summary>
    public TimeSpan ProbePeriod => _options.PingInterval / (_options.MissedPingLimit + 1);

    /// <summary>
    /// Once per ping round, before the pings go out: counts each unanswered ping as missed and asks each successor out of
    /// pings whether it is really gone. Returns how many confirmations it started.
    /// </summary>
    public int CountMissedPings()
    {
        var suspects = Targets
            .Where(target => !target.Confirming && target.OutstandingPing is not null && ++target.MissedPings >= _options.MissedPingLimit)
            .ToArray();
        foreach (var target in suspects)
            Confirm(target);
        if (_probeTimer is null && _targets.Values.Any(target => target.Suspected))
            _probeTimer = _context.StartTimer(ProbePeriod, ProbePeriod, ProbeSuspects);
        return suspects.Length;
    }

    /// <summary>Pings every target at its rank and says so in the original's words.</summary>
    public void PingTargets()
    {
        var targets = Targets;
        foreach (var target in targets)
            SendPing(target);
        if (targets.Count == 0)
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
        _context.Raise(DhtEventKind.PingRequestReceived, $"Ping request message received from Peer {request.Sender.Id}", request.Sender.Id);
        _neighborhood.HeardPing(request.Rank, request.Sender, _context.Now);
        _context.SendDatagram(from, sequence, new PingResponse { Sender = _context.Self, IdBits = _context.Space.Bits });
    }

    public void HandlePong(uint sequence, PingResponse response)
    {
        if (Target(response.Sender.Id) is not { } target)
            return; // A late answer from a peer that is no longer a live successor (a dead candidate is asked over TCP instead).
        if (target.OutstandingPing == sequence)
            target.OutstandingPing = null;
        target.MissedPings = 0;
        _context.Raise(DhtEventKind.PingResponseReceived, $"Ping response received from Peer {response.Sender.Id}", response.Sender.Id);
    }

    /// <summary>Stops the probes (the peer departs or stops); pongs still clear what they answer.</summary>
    public void Stop()
    {
        _probeTimer?.Dispose();
        _probeTimer = null;
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
            var target = _targets.TryGetValue(link.Contact.Id, out var known) && known.Contact == link.Contact ? known : new ProbeTarget(link.Contact, rank);
            target.Rank = rank;
            next[link.Contact.Id] = target;
        }
        _targets.Clear();
        foreach (var (id, target) in next)
            _targets[id] = target;
    }

    private void ProbeSuspects()
    {
        if (!_context.IsRunning)
            return;
        foreach (var target in Targets)
        {
            if (target.Confirming || !target.Suspected || target.OutstandingPing is null)
                continue;
            if (++target.MissedPings >= _options.MissedPingLimit)
                Confirm(target);
            else
                SendPing(target);
        }
        if (!_targets.Values.Any(target => target.Suspected))
            Stop();
    }

    private void SendPing(ProbeTarget target)
    {
        target.OutstandingPing = ++_pingSequence;
        _context.SendDatagram(target.Contact.ToEndPoint(), _pingSequence,
            new PingRequest { Sender = _context.Self, IdBits = _context.Space.Bits, Rank = target.Rank });
    }

    /// <summary>
    /// Asks the suspect over TCP whether it is there; no answer within a ping interval makes it <see cref="Dead"/>. A ping
    /// answer that arrives while the question is out (it resets the missed pings) is proof of life too: a question asked
    /// across a partition can time out after the heal, when the suspect is answering again.
    /// </summary>
    private void Confirm(ProbeTarget target)
    {
        target.Confirming = true;
        _context.Ask(target.Contact, new NeighborsRequest { Sender = _context.Self, IdBits = _context.Space.Bits }, _options.PingInterval, reply =>
        {
            target.Confirming = false;
            if (reply.Message is NeighborsResponse)
                (target.MissedPings, target.OutstandingPing) = (0, null);
            else if (reply.Failure is Transport.DhtAuthenticationException)
                (target.MissedPings, target.OutstandingPing) = (0, null); // Alive, of another secret: said so (AuthenticationFailed), never declared dead.
            else if (_context.IsRunning && Target(target.Contact.Id) == target && target.Suspected)
                Dead?.Invoke(target.Contact.Id);
        });
    }
}
