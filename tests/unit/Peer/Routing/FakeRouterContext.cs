using DhtPs.Core.Peer;
using DhtPs.Core.Peer.Routing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer.Routing;

/// <summary>
/// The router's whole world, by hand: the test decides the successors and the predecessor, sees every request the
/// router sends and answers it when it likes, fires timers, and reads the events and arrivals.
/// </summary>
internal sealed class FakeRouterContext(ulong self, int bits = 8) : IRouterContext
{
    public sealed record SentRequest(PeerContact To, Message Request, TimeSpan Timeout, Action<Reply> OnReply)
    {
        public void Acknowledge() => OnReply(new Reply(new Acknowledgement { Sender = To, IdBits = Request.IdBits }, null));

        public void Fail(string why = "connection refused") => OnReply(new Reply(null, new IOException(why)));
    }

    public sealed class FakeTimer(TimeSpan due, Action onDue) : ITimer
    {
        public TimeSpan Due { get; } = due;
        public bool Disposed { get; private set; }

        public void Fire()
        {
            if (!Disposed)
                onDue();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() => Disposed = true;
        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    public static PeerContact P(ulong id) => PeerContact.ForId(id);

    public PeerContact Self { get; } = P(self);
    public IdSpace Space { get; } = new(bits);
    public IReadOnlyList<PeerContact> RoutingSuccessors { get; set; } = [];
    public PeerContact? FirstPredecessor { get; set; }

    public List<SentRequest> Sent { get; } = [];
    public List<FakeTimer> Timers { get; } = [];
    public List<DhtEvent> Events { get; } = [];
    public List<RoutedFileRequest> FileArrivals { get; } = [];
    public List<(JoinRequest Request, JoinVerdict Verdict)> JoinArrivals { get; } = [];
    public List<(JoinRequest Request, string Reason)> UnroutableJoins { get; } = [];

    /// <summary>The last request sent, removed from <see cref="Sent"/>.</summary>
    public SentRequest TakeSent()
    {
        Assert.NotEmpty(Sent);
        var last = Sent[^1];
        Sent.RemoveAt(Sent.Count - 1);
        return last;
    }

    public IEnumerable<string> EventTexts => Events.Select(e => e.Message);

    public ManualClock Clock { get; } = new();
    public TimeProvider Time => Clock;

    public void Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply) => Sent.Add(new SentRequest(to, request, timeout, onReply));

    public ITimer StartTimer(TimeSpan due, Action onDue)
    {
        var timer = new FakeTimer(due, onDue);
        Timers.Add(timer);
        return timer;
    }

    public void Raise(DhtEventKind kind, string message, ulong? remotePeerId) =>
        Events.Add(new DhtEvent(DateTimeOffset.UnixEpoch, Self.Id, kind, message, remotePeerId));

    public void FileRequestArrived(RoutedFileRequest request) => FileArrivals.Add(request);

    public void JoinArrived(JoinRequest request, JoinVerdict verdict) => JoinArrivals.Add((request, verdict));

    public void JoinUnroutable(JoinRequest request, string reason) => UnroutableJoins.Add((request, reason));
}
