using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Tests.Unit.Peer.Routing;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>The failure detector's whole world, by hand: the test sees every datagram and request, answers them, fires timers, reads the events.</summary>
internal sealed class FakeDetectorContext(ulong self, int bits = 8) : IFailureDetectorContext
{
    public sealed record Datagram(IPEndPoint To, uint Sequence, Message Message);

    public sealed record SentRequest(PeerContact To, Message Request, TimeSpan Timeout, Action<Reply> OnReply)
    {
        public void Answer() => OnReply(new Reply(new NeighborsResponse { Sender = To, IdBits = Request.IdBits, Successors = [], Predecessors = [] }, null));

        public void Fail(Exception? why = null) => OnReply(new Reply(null, why ?? new IOException("connection refused")));
    }

    public PeerContact Self { get; } = PeerContact.ForId(self);
    public IdSpace Space { get; } = new(bits);
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
    public bool IsRunning { get; set; } = true;

    /// <summary>The helpers the detector may ask to ping a suspect; none unless a test says so.</summary>
    public List<PeerContact> Helpers { get; } = [];

    public IEnumerable<PeerContact> ProbeHelpers => Helpers;

    public List<Datagram> Datagrams { get; } = [];
    public List<SentRequest> Sent { get; } = [];
    public List<FakeRouterContext.FakeTimer> Timers { get; } = [];
    public List<DhtEvent> Events { get; } = [];

    public IEnumerable<string> EventTexts => Events.Select(e => e.Message);

    /// <summary>The pings sent since the last call, as (peer id, rank), and forgets them.</summary>
    public (ulong To, int Rank)[] TakePings()
    {
        var pings = PingsSent();
        Datagrams.Clear();
        return pings;
    }

    /// <summary>The pings sent so far, as (peer id, rank), kept (a test may answer them next).</summary>
    public (ulong To, int Rank)[] PingsSent() => Datagrams.Where(d => d.Message is PingRequest)
        .Select(d => ((ulong)(d.To.Port - PeerContact.ForId(0).Port), ((PingRequest)d.Message).Rank)).ToArray();

    /// <summary>
    /// The question over TCP asked of <paramref name="id"/> at its first miss, taken out of <see cref="Sent"/> and left
    /// unanswered unless the test answers it: a host gone dark answers nothing.
    /// </summary>
    public SentRequest TakeFirstMissQuestion(ulong id)
    {
        var question = Sent.Last(s => s.To.Id == id);
        Sent.Remove(question);
        return question;
    }

    public void SendDatagram(IPEndPoint to, uint sequence, Message message) => Datagrams.Add(new Datagram(to, sequence, message));

    public void Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply) => Sent.Add(new SentRequest(to, request, timeout, onReply));

    public ITimer StartTimer(TimeSpan due, TimeSpan period, Action onDue)
    {
        var timer = new FakeRouterContext.FakeTimer(due, onDue);
        Timers.Add(timer);
        return timer;
    }

    public void Raise(DhtEventKind kind, string message, ulong? remotePeerId) =>
        Events.Add(new DhtEvent(Now, Self.Id, kind, message, remotePeerId));
}
