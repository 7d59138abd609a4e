using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §3: ping every successor (<see cref="PeerOptions.SuccessorCount"/>, two in the original) each interval over UDP,
/// each ping naming its rank; learn predecessors, by rank, from the pings received.
/// </summary>
public sealed partial class PeerNode
{
    private readonly List<SuccessorLink> _successors = [];
    private readonly PredecessorSlot?[] _predecessors;
    private ITimer? _pingTimer;
    private uint _pingSequence;

    private void StartPinging()
    {
        SetSuccessors(new[] { _options.FirstSuccessor, _options.SecondSuccessor }
            .OfType<PeerLocator>()
            .Select(s => new PeerContact(s.Id!.Value, s.EndPoint.Address.ToString(), s.EndPoint.Port)));
        _pingTimer = Time.CreateTimer(_ => Run(PingSuccessors), null, TimeSpan.Zero, _options.PingInterval);
    }

    private void StopPinging() => _pingTimer?.Dispose();

    private IReadOnlyList<PeerContact> CurrentSuccessors() => _successors.Select(s => s.Contact).ToArray();

    private IReadOnlyList<PeerContact> CurrentPredecessors() =>
        _predecessors.OfType<PredecessorSlot>().Select(p => p.Contact).ToArray();

    /// <summary>The successor list <paramref name="candidates"/> make for this peer (<see cref="SuccessorList.Compose"/>, this peer's length).</summary>
    private IReadOnlyList<PeerContact> ComposeSuccessors(IEnumerable<PeerContact> candidates, IReadOnlySet<ulong>? gone = null) =>
        SuccessorList.Compose(Space, Id, candidates, gone, _options.SuccessorCount);

    /// <summary>Replaces the successor list, keeping what is known of successors that stay.</summary>
    private void SetSuccessors(IEnumerable<PeerContact> successors)
    {
        var kept = _successors.ToDictionary(s => s.Contact.Id);
        var next = successors.Select(c => kept.TryGetValue(c.Id, out var link) && link.Contact == c && !link.Dead ? link : new SuccessorLink(c)).ToList();
        _successors.Clear();
        _successors.AddRange(next);
    }

    private void PingSuccessors()
    {
        if (_status is not PeerStatus.Running)
            return;
        ForgetSilentPredecessors();
        DetectDeadSuccessors();
        Stabilize();
        _router.RefreshFingers(LiveSuccessors());
        var pinged = new List<string>();
        for (var rank = 1; rank <= _successors.Count; rank++)
        {
            if (_successors[rank - 1].Dead)
                continue;
            SendPing(_successors[rank - 1], rank);
            pinged.Add(_successors[rank - 1].Contact.Id.ToString());
        }
        if (pinged.Count == 0)
            return;
        var ids = pinged.ToArray();
        Raise(DhtEventKind.PingRequestsSent, ids.Length == 1
            ? $"Ping request sent to Peer {ids[0]}"
            : $"Ping requests sent to Peers {string.Join(" and ", ids)}");
    }

    private void SendPing(SuccessorLink link, int rank)
    {
        link.OutstandingPing = ++_pingSequence;
        _transport.SendDatagram(link.Contact.ToEndPoint(), _pingSequence,
            new PingRequest { Sender = Contact, IdBits = Space.Bits, Rank = rank });
    }

    private void HandlePingRequest(IPEndPoint from, uint sequence, PingRequest request)
    {
        if (request.Rank < 1)
        {
            CountMalformed(from, $"ping rank {request.Rank} is not positive");
            return;
        }
        Raise(DhtEventKind.PingRequestReceived, $"Ping request message received from Peer {request.Sender.Id}", request.Sender.Id);
        // A peer that keeps a longer successor list pings at ranks this one does not keep: answered, not remembered.
        if (request.Rank <= _predecessors.Length && TakesPredecessorSlot(_predecessors[request.Rank - 1], request.Sender))
            _predecessors[request.Rank - 1] = new PredecessorSlot(request.Sender, Time.GetUtcNow());
        _transport.SendDatagram(from, sequence, new PingResponse { Sender = Contact, IdBits = Space.Bits });
    }

    private void HandlePingResponse(uint sequence, PingResponse response)
    {
        var link = _successors.FirstOrDefault(s => s.Contact.Id == response.Sender.Id && !s.Dead);
        if (link is null)
            return; // A late answer from a peer that is no longer a successor (a dead candidate is asked over TCP instead).
        if (link.OutstandingPing == sequence)
            link.OutstandingPing = null;
        link.MissedPings = 0;
        Raise(DhtEventKind.PingResponseReceived, $"Ping response received from Peer {response.Sender.Id}", response.Sender.Id);
    }

    /// <summary>
    /// Zave's rectify: a pinger takes a predecessor slot when it already holds it, when it is closer than the
    /// holder, or when the holder has missed its last ping (dead, silent, or now pinging at another rank).
    /// Two peers pinging at one rank then settle on the closer one instead of taking turns.
    /// </summary>
    private bool TakesPredecessorSlot(PredecessorSlot? holder, PeerContact pinger) =>
        holder is null
        || holder.Contact.Id == pinger.Id
        || Space.InOpen(pinger.Id, holder.Contact.Id, Id)
        || Time.GetUtcNow() - holder.LastHeard > _options.PingInterval + ProbePeriod;

    /// <summary>A predecessor that has stopped pinging for as long as a successor would be declared dead is forgotten.</summary>
    private void ForgetSilentPredecessors()
    {
        var silence = _options.PingInterval * (_options.MissedPingLimit + 1);
        var now = Time.GetUtcNow();
        for (var i = 0; i < _predecessors.Length; i++)
        {
            if (_predecessors[i] is { } slot && now - slot.LastHeard > silence)
                _predecessors[i] = null;
        }
    }
}
