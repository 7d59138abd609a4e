using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Peer.Maintenance;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Tests.Unit.Peer.Routing;

namespace DhtPs.Tests.Unit.Peer.Maintenance;

/// <summary>Ring maintenance's whole world, by hand: the test sees every request, answers it when it likes, fires timers, reads the events.</summary>
internal sealed class FakeMaintenanceContext(ulong self, Func<IReadOnlyList<ulong>> successors, int bits = 8) : IRingMaintenanceContext
{
    public sealed record SentRequest(IPEndPoint To, Message Request, Action<Reply> OnReply)
    {
        public ulong ToId => (ulong)(To.Port - PeerContact.ForId(0).Port);

        public void Acknowledge() => OnReply(new Reply(new Acknowledgement { Sender = PeerContact.ForId(ToId), IdBits = Request.IdBits }, null));

        /// <summary>Answers a neighbours query as peer <see cref="ToId"/> with these lists.</summary>
        public void Neighbors(ulong[] successors, ulong[] predecessors) => OnReply(new Reply(new NeighborsResponse
        {
            Sender = PeerContact.ForId(ToId), IdBits = Request.IdBits,
            Successors = successors.Select(PeerContact.ForId).ToArray(), Predecessors = predecessors.Select(PeerContact.ForId).ToArray(),
        }, null));

        public void Fail(string why = "connection refused") => OnReply(new Reply(null, new IOException(why)));
    }

    public PeerContact Self { get; } = PeerContact.ForId(self);
    public IdSpace Space { get; } = new(bits);
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
    public PeerStatus Status { get; set; } = PeerStatus.Running;

    /// <summary>The fingers the router would hold; none unless a test sets them.</summary>
    public List<PeerContact> Fingers { get; } = [];

    IEnumerable<PeerContact> IRingMaintenanceContext.Fingers => Fingers;

    public List<SentRequest> Sent { get; } = [];
    public List<(PeerContact To, Message Request)> Notices { get; } = [];
    public List<FakeRouterContext.FakeTimer> Timers { get; } = [];
    public List<DhtEvent> Events { get; } = [];
    public List<JoinRequest> RoutedJoins { get; } = [];
    public bool PingingStopped { get; private set; }

    public IEnumerable<string> EventTexts => Events.Select(e => e.Message);

    /// <summary>The oldest request not yet answered, removed from <see cref="Sent"/>.</summary>
    public SentRequest TakeSent()
    {
        Assert.NotEmpty(Sent);
        var first = Sent[0];
        Sent.RemoveAt(0);
        return first;
    }

    /// <summary>Like <see cref="TakeSent"/>, asserting it went to peer <paramref name="id"/>.</summary>
    public SentRequest TakeSentTo(ulong id)
    {
        var sent = TakeSent();
        Assert.Equal(id, sent.ToId);
        return sent;
    }

    public void Ask(IPEndPoint to, Message request, Action<Reply> onReply) => Sent.Add(new SentRequest(to, request, onReply));

    public Task SendAsync(PeerContact to, Message request)
    {
        Notices.Add((to, request));
        return Task.CompletedTask;
    }

    public ITimer StartTimer(TimeSpan due, Action onDue)
    {
        var timer = new FakeRouterContext.FakeTimer(due, onDue);
        Timers.Add(timer);
        return timer;
    }

    public void Raise(DhtEventKind kind, string message, ulong? remotePeerId, FailureEvidence? evidence = null) =>
        Events.Add(new DhtEvent(Now, Self.Id, kind, message, remotePeerId) { Evidence = evidence });

    public void RouteJoin(JoinRequest request) => RoutedJoins.Add(request);

    public DhtPeer PublishSnapshot() =>
        new(Self.Id, Space.Bits, Self.ToEndPoint(), Status, [], successors(), TimeSpan.FromSeconds(1), [], [], 0, DateTimeOffset.UnixEpoch);

    public void StopPinging() => PingingStopped = true;
}
