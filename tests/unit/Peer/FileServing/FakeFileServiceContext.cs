using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Peer.FileServing;

/// <summary>
/// The file service's whole world, by hand: an in-memory disk on a clock the test sets, the router's part recorded
/// (routes, answers, hand-ons), requests kept for the test to answer, background transfers counted but not run.
/// </summary>
internal sealed class FakeFileServiceContext : IFileServiceContext
{
    public FakeFileServiceContext(ulong self, int bits = 8)
    {
        Self = PeerContact.ForId(self);
        Space = new IdSpace(bits);
        FileSystem = Disk = new GatedFileSystem(new InMemoryFileSystem(Clock));
    }

    /// <summary>The in-memory disk, whose fsyncs a test may hold up.</summary>
    public GatedFileSystem Disk { get; }

    public ManualClock Clock { get; } = new();
    public PeerContact Self { get; }
    public IdSpace Space { get; }
    public TimeProvider Time => Clock;
    public IFileSystem FileSystem { get; }
    public PeerStatus Status { get; set; } = PeerStatus.Running;
    public bool Stopping => false;
    public TaskCreationOptions CompletionOptions => TaskCreationOptions.None;

    public List<(PeerContact To, Message Request, Action<Reply> OnReply)> Sent { get; } = [];
    public List<Func<Task>> Background { get; } = [];
    public List<DhtEvent> Events { get; } = [];
    public List<(RoutedRequest Request, RouteOutcome Outcome, string? Reason)> Answers { get; } = [];
    public List<(RoutedRequest Request, PeerContact Owner)> PassedOn { get; } = [];
    public List<DhtPs.Tests.Unit.Peer.Routing.FakeRouterContext.FakeTimer> Timers { get; } = [];

    public IEnumerable<string> EventTexts => Events.Select(e => e.Message);

    public void Post(Action work) => work();

    public void RunInBackground(Func<Task> work) => Background.Add(work);

    public void Ask(PeerContact to, Message request, Action<Reply> onReply, TimeSpan? timeout = null) => Sent.Add((to, request, onReply));

    /// <summary>Every stream the service tried to open; none opens unless <see cref="OpenStream"/> opens it.</summary>
    public List<(PeerContact To, Message Opening)> Streams { get; } = [];

    /// <summary>Opens a stream for a test that moves bytes (a real connection to another service); by default, none opens.</summary>
    public Func<PeerContact, Message, Task<Stream>>? OpenStream { get; set; }

    public Task<Stream> OpenStreamAsync(PeerContact to, Message opening, CancellationToken cancellationToken)
    {
        lock (Streams)
            Streams.Add((to, opening));
        return OpenStream?.Invoke(to, opening) ?? throw new IOException("The file service's unit tests move no bytes.");
    }

    public ITimer StartTimer(TimeSpan due, Action onDue)
    {
        var timer = new DhtPs.Tests.Unit.Peer.Routing.FakeRouterContext.FakeTimer(due, onDue);
        Timers.Add(timer);
        return timer;
    }

    public void Raise(DhtEventKind kind, string message, ulong? remotePeerId = null) =>
        Events.Add(new DhtEvent(Clock.Now, Self.Id, kind, message, remotePeerId));

    public string NewRequestId() => $"r-{Answers.Count + PassedOn.Count + 1}";

    /// <summary>Answers the routes the service starts (a lookup of a stray's owner); by default none may start.</summary>
    public Func<RoutedRequest, RouteAnswer?>? Route { get; set; }

    public List<RoutedRequest> Routed { get; } = [];

    public void StartRoute(RoutedRequest request, TimeSpan timeout, Action<RouteAnswer?> onAnswer)
    {
        if (Route is null)
            throw new NotSupportedException("Started requests are the router's tests'.");
        Routed.Add(request);
        onAnswer(Route(request));
    }

    public void ForgetRoute(string requestId)
    {
    }

    public void LearnOwner(ulong ownedFrom, PeerContact owner) =>
        throw new NotSupportedException("Deliveries arrive at the origin, which is the router's tests'.");

    public void AnswerRoute(RoutedRequest request, RouteOutcome outcome, string? reason, int? copies, FileVersion version, string? sha256) => Answers.Add((request, outcome, reason));

    public void PassToOwner(RoutedRequest request, PeerContact owner) => PassedOn.Add((request, owner));
}
