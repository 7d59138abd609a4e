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

    // Reading and changing the neighbourhood, in the words the rest of the peer uses.
    private IReadOnlyList<PeerContact> CurrentSuccessors() => _neighborhood.Successors;

    private IReadOnlyList<PeerContact> CurrentPredecessors() => _neighborhood.Predecessors;

    private IReadOnlyList<PeerContact> LiveSuccessors() => _neighborhood.LiveSuccessors;

    private IReadOnlyList<PeerContact> ComposeSuccessors(IEnumerable<PeerContact> candidates, IReadOnlySet<ulong>? gone = null) =>
        _neighborhood.Compose(candidates, gone);

    private void SetSuccessors(IEnumerable<PeerContact> successors) => _neighborhood.SetSuccessors(successors);

    private HashSet<ulong> RecentlyDead() => _neighborhood.RecentlyDead(Time.GetUtcNow());

    private void PingSuccessors()
    {
        if (_status is not PeerStatus.Running)
            return;
        _neighborhood.ForgetSilentPredecessors(Time.GetUtcNow());
        DetectDeadSuccessors();
        Stabilize();
        _router.RefreshFingers(LiveSuccessors());
        var pinged = new List<string>();
        var links = _neighborhood.Links;
        for (var rank = 1; rank <= links.Count; rank++)
        {
            if (links[rank - 1].Dead)
                continue;
            SendPing(links[rank - 1], rank);
            pinged.Add(links[rank - 1].Contact.Id.ToString());
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
        _neighborhood.HeardPing(request.Rank, request.Sender, Time.GetUtcNow());
        _transport.SendDatagram(from, sequence, new PingResponse { Sender = Contact, IdBits = Space.Bits });
    }

    private void HandlePingResponse(uint sequence, PingResponse response)
    {
        var link = _neighborhood.LiveLinkTo(response.Sender.Id);
        if (link is null)
            return; // A late answer from a peer that is no longer a successor (a dead candidate is asked over TCP instead).
        if (link.OutstandingPing == sequence)
            link.OutstandingPing = null;
        link.MissedPings = 0;
        Raise(DhtEventKind.PingResponseReceived, $"Ping response received from Peer {response.Sender.Id}", response.Sender.Id);
    }
}
